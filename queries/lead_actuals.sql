-- MQLs, SALs and SQLs from $starts_on (the first day of a month: a quarter's start) up to
-- $so_far_before (leads whose mql_at / sal_at / sql_at falls in it) for every breakdown at
-- once, like deal_actuals: the figures of lead_actuals_from_leads.sql, without reading every
-- lead. The whole months are sums over the funnel_months summary (a stage's events count from
-- the month they were reached, whatever the as-of day), plus the rows of the leads it leaves
-- out (listed twice: every lead row counts); the days of the last month up to $so_far_before
-- are counted from leads, each stage by a range on its own date column, which the scan prunes
-- by (an or of the three ranges would read every row).
with bounds as (
    select date_trunc('month', $so_far_before::date)::date as month_start
),

stages as (
    select region, segment, stage, events
    from funnel_months, bounds
    where stage in ('mqls', 'sals', 'sqls')
        and reached_month >= $starts_on
        and reached_month < month_start
    union all
    -- Starting from the few leads listed twice, not from every lead.
    select leads.region, leads.segment, stage.name, 1
    from funnel_listed_twice
    join leads on leads.lead_id = funnel_listed_twice.lead_id
    cross join bounds
    cross join lateral (
        values ('mqls', leads.mql_at), ('sals', leads.sal_at), ('sqls', leads.sql_at)
    ) as stage(name, reached_at)
    where stage.reached_at >= $starts_on
        and stage.reached_at < month_start
    union all
    select region, segment, 'mqls', 1
    from leads, bounds
    where mql_at >= month_start and mql_at >= $starts_on and mql_at < $so_far_before
    union all
    select region, segment, 'sals', 1
    from leads, bounds
    where sal_at >= month_start and sal_at >= $starts_on and sal_at < $so_far_before
    union all
    select region, segment, 'sqls', 1
    from leads, bounds
    where sql_at >= month_start and sql_at >= $starts_on and sql_at < $so_far_before
)

select
    region,
    segment,
    grouping(region) = 1 as all_regions,
    grouping(segment) = 1 as all_segments,
    coalesce(sum(events) filter (where stage = 'mqls'), 0)::bigint as mqls,
    coalesce(sum(events) filter (where stage = 'sals'), 0)::bigint as sals,
    coalesce(sum(events) filter (where stage = 'sqls'), 0)::bigint as sqls
from stages
group by grouping sets ((), (region), (segment), (region, segment))
