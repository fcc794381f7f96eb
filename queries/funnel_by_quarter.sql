-- Stage counts and cohort conversion for a run of fiscal quarters in one pass, in total and
-- by source (channel), region and segment. Every lead contributes one event per stage it
-- reached, in the fiscal quarter of that stage's date (quarter index = fiscal year × 4 +
-- quarter − 1, the year named as in relay.fiscal), up to $before; went_on says whether it
-- reached the next stage at any time so far. Opportunities and wins are the deals that
-- came from the leads.
with lead_deals as (
    select
        lead_id,
        min(created_at) as opportunity_at,
        bool_or(status = 'won') as won,
        max(close_date) filter (where status = 'won') as won_on
    from deals
    where lead_id is not null
    group by lead_id
),

scoped as (
    select
        lead_id,
        source,
        region,
        segment,
        created_at,
        mql_at,
        sal_at,
        sql_at
    from leads
    where ($region is null or region = $region)
        and ($segment is null or segment = $segment)
),

opportunities as (
    select
        lead_deals.*,
        scoped.source,
        scoped.region,
        scoped.segment
    from lead_deals
    join scoped using (lead_id)
),

-- The MQL cohort also records how far down the funnel each lead got (to_sql, to_won, ...):
-- the page's "conversion by quarter of MQL".
events as (
    select
        source, region, segment,
        'inquiries' as stage, created_at as reached_at, mql_at is not null as went_on,
        null::boolean as to_sql, null::boolean as to_opportunity, null::boolean as to_won
    from scoped
    where created_at >= $first and created_at < $before
    union all
    select
        scoped.source, scoped.region, scoped.segment, 'mqls', scoped.mql_at,
        scoped.sal_at is not null, scoped.sql_at is not null, lead_deals.lead_id is not null,
        coalesce(lead_deals.won, false)
    from scoped
    left join lead_deals using (lead_id)
    where scoped.mql_at >= $first and scoped.mql_at < $before
    union all
    select source, region, segment, 'sals', sal_at, sql_at is not null, null, null, null
    from scoped
    where sal_at >= $first and sal_at < $before
    union all
    select
        source, region, segment, 'sqls', sql_at, lead_id in (select lead_id from lead_deals),
        null, null, null
    from scoped
    where sql_at >= $first and sql_at < $before
    union all
    select source, region, segment, 'opportunities', opportunity_at, won, null, null, null
    from opportunities
    where opportunity_at >= $first and opportunity_at < $before
    union all
    select source, region, segment, 'won', won_on, false, null, null, null
    from opportunities
    where won_on >= $first and won_on < $before
)

select
    (floor((year(reached_at) * 12 + month(reached_at) - $start_month) / 3)
        + case when $start_month = 1 then 0 else 4 end)::integer as quarter_index,
    case
        when grouping(source) = 0 then 'channel'
        when grouping(region) = 0 then 'region'
        when grouping(segment) = 0 then 'segment'
        else 'all'
    end as dimension,
    coalesce(source, region, segment, 'All') as value,
    stage,
    count(*) as reached,
    count(*) filter (where went_on) as went_on,
    count(*) filter (where to_sql) as to_sql,
    count(*) filter (where to_opportunity) as to_opportunity,
    count(*) filter (where to_won) as to_won
from events
group by grouping sets (
    (quarter_index, stage),
    (quarter_index, stage, source),
    (quarter_index, stage, region),
    (quarter_index, stage, segment)
)
