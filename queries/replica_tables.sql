-- The store's tables and their columns in order: what a replica's copy shares (views and
-- temporary tables, which live in DuckDB's temp database, left out).
select columns.table_name, list(columns.column_name order by columns.column_index) as columns
from duckdb_columns() as columns
inner join duckdb_tables() as tables
    on tables.database_name = columns.database_name
    and tables.schema_name = columns.schema_name
    and tables.table_name = columns.table_name
where columns.database_name = current_database() and columns.schema_name = 'main'
group by columns.table_name
order by columns.table_name
