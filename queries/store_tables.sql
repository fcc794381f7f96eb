-- Every table of the store, or of the attached database $database: what verify reads.
select database_name, schema_name, table_name
from duckdb_tables()
where database_name = coalesce($database, current_database())
    and not temporary
order by all
