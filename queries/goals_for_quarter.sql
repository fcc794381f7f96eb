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
where quarter = $quarter
order by
    owner_team,
    metric,
    region nulls first,
    segment nulls first
