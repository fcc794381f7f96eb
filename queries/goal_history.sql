-- Every recorded change of one goal, newest first.
select
    "at",
    actor,
    action,
    before,
    after
from audit_log
where entity = 'goal'
    and entity_id = $goal_id
order by "at" desc
