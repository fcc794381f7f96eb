-- Whether the running import (its temporary import_changes) knows the keys it wrote of a
-- table: the table's key is a column of it.
select count(*) > 0 as known
from duckdb_columns()
where database_name = 'temp' and table_name = 'import_changes' and column_name = $key
