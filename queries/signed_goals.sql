-- The quarter's goals as kept at the plan as signed: the latest revision that BOTH sides
-- signed (one side's signature alone is not an agreed plan). No rows when none was.
select
    metric,
    region,
    segment,
    target,
    owner_team,
    revision
from signed_goals
where quarter = $quarter
    and revision = (
        select max(marketing.revision)
        from plan_signoffs as marketing
        inner join plan_signoffs as sales
            on sales.quarter = marketing.quarter
            and sales.revision = marketing.revision
            and sales.side = 'sales'
        where marketing.quarter = $quarter
            and marketing.side = 'marketing'
    )
order by
    owner_team,
    metric,
    region nulls first,
    segment nulls first
