insert into goals (quarter, metric, region, segment, target, owner_team, updated_by, updated_at)
select
    quarter,
    metric,
    region,
    segment,
    target,
    owner_team,
    updated_by,
    updated_at
from demo_goals
