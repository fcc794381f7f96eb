-- New goals are numbered after every goal of the shared store (other replicas' too).
select count(nextval('goal_ids')) as skipped
from range((
    select coalesce(max(goal_id), 0) from goals
) - (
    select coalesce(last_value, 0) from duckdb_sequences() where sequence_name = 'goal_ids'
))
