-- The changes after the one a replica holds, up to the newest it reads now, oldest first.
select seq, tables from change_log where seq > %(after)s and seq <= %(upto)s order by seq
