-- The file of the connection's store.
select path from duckdb_databases() where database_name = current_database()
