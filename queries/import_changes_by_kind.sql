-- How many of the file's rows are new, updated and unchanged.
select change, count(*) from import_changes group by change
