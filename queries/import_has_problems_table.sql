select count(*)
from duckdb_tables()
where temporary
    and table_name = 'import_problems'
