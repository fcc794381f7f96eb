select
    goal_id,
    quarter,
    metric,
    region,
    segment,
    target,
    owner_team,
    updated_by,
    updated_at,
    version
from goals
where goal_id = $goal_id
