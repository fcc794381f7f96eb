-- The goals of exactly this quarter and breakdown with the version a save must match.
select
    metric,
    target,
    version
from goals
where quarter = $quarter
    and region is not distinct from $region
    and segment is not distinct from $segment
