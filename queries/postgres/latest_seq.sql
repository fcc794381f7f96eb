-- The newest change the shared store holds (0: none yet).
select coalesce(max(seq), 0) as seq from change_log
