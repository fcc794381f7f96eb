-- The number of the latest import in the history (0 when there is none).
select coalesce(max(import_id), 0) as import_id from import_runs
