-- The goals set for exactly this quarter and breakdown: a company-wide goal has region and
-- segment null; a regional goal is not summed into it (docs/design.md: the meeting decides).
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
    and region is not distinct from $region
    and segment is not distinct from $segment
