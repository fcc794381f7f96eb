-- The file's new rows into {table} (campaigns, goals), each at version 1 by the importer.
insert into {table} ({columns}, version, updated_by, updated_at)
select {columns}, 1, $actor, $at
from import_changes
where change = 'new'
order by line
