-- New import runs are numbered after every run of the shared store (other replicas' too).
select count(nextval('import_ids')) as skipped
from range((
    select coalesce(max(import_id), 0) from import_runs
) - (
    select coalesce(last_value, 0) from duckdb_sequences() where sequence_name = 'import_ids'
))
