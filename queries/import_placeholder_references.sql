-- How many rows of a table name each placeholder being merged ({column}: the person column).
select {column}, count(*)
from {table}
where {column} in (select placeholder_id from import_merges)
group by all
