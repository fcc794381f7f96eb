-- The quarter's goals as kept at the latest revision anyone signed.
select
    metric,
    region,
    segment,
    target,
    owner_team,
    revision
from signed_goals
where quarter = $quarter
    and revision = (select max(revision) from signed_goals where quarter = $quarter)
order by
    owner_team,
    metric,
    region nulls first,
    segment nulls first
