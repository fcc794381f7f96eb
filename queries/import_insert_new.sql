-- The file's new rows into {table}, in the file's order.
insert into {table} ({columns})
select {columns}
from import_changes
where change = 'new'
order by line
