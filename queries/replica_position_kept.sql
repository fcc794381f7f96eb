-- Whether a store file is a replica's copy (it has replica_position), not a store of its own.
select count(*) > 0 as kept
from duckdb_tables()
where database_name = current_database() and table_name = 'replica_position'
