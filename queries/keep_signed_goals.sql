-- Keep the quarter's goals as signed at $revision, once per revision: the second side to
-- sign the same revision finds them kept already.
insert into signed_goals (quarter, revision, metric, region, segment, target, owner_team, kept_at)
select
    quarter,
    $revision as revision,
    metric,
    region,
    segment,
    target,
    owner_team,
    $at as kept_at
from goals
where quarter = $quarter
    and not exists (
        select 1
        from signed_goals
        where signed_goals.quarter = $quarter and signed_goals.revision = $revision
    )
