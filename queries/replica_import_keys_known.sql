-- Whether the running import (its temporary import_changes) knows the keys it wrote of a
-- table: each of the table's key columns is a column of it.
select count(*) = len($keys) as known
from duckdb_columns()
where database_name = 'temp' and table_name = 'import_changes'
    and list_contains($keys, column_name)
