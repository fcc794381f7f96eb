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
    and metric = $metric
    and region is not distinct from $region
    and segment is not distinct from $segment
