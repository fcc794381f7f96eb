select count(*)
from duckdb_tables()
where database_name = $source
    and table_name = 'schema_version'
