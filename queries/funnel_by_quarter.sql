-- Stage counts and cohort conversion for a run of fiscal quarters in one pass, in total and
-- by source (channel), region and segment. Every lead contributes one event per stage it
-- reached, in the fiscal quarter of that stage's date (quarter index = fiscal year × 4 +
-- quarter − 1, the year named as in relay.fiscal); went_on says whether it reached the next
-- stage at any time so far. Nothing after $before has happened yet. Opportunities and wins
-- count leads: a lead's first deal opens its opportunity, and it is won when a deal of
-- its is won (at the last such close date).
with lead_deals as (
    select
        lead_id,
        min(created_at) as opportunity_at,
        max(close_date) filter (where status = 'won' and close_date < $before) as won_on
    from deals
    where lead_id is not null
        and created_at < $before
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
    from scoped_leads($region, $segment)
),

-- One row per lead with a deal, even if the lead is listed twice.
opportunities as (
    select
        lead_deals.*,
        lead_attributes.source,
        lead_attributes.region,
        lead_attributes.segment
    from lead_deals
    join (
        select
            lead_id,
            any_value(source) as source,
            any_value(region) as region,
            any_value(segment) as segment
        from scoped
        where lead_id in (select lead_id from lead_deals)
        group by lead_id
    ) as lead_attributes using (lead_id)
),

-- The MQL cohort also records how far down the funnel each lead got (to_sql, to_won, ...):
-- the page's "where each quarter's MQLs got to".
events as (
    select
        source, region, segment,
        'inquiries' as stage, created_at as reached_at, mql_at < $before as went_on,
        null::boolean as to_sql, null::boolean as to_opportunity, null::boolean as to_won
    from scoped
    where created_at >= $first and created_at < $before
    union all
    select
        scoped.source, scoped.region, scoped.segment, 'mqls', scoped.mql_at,
        coalesce(scoped.sal_at < $before, false), coalesce(scoped.sql_at < $before, false),
        scoped.lead_id in (select lead_id from lead_deals),
        scoped.lead_id in (select lead_id from lead_deals where won_on is not null)
    from scoped
    where scoped.mql_at >= $first and scoped.mql_at < $before
    union all
    select
        source, region, segment, 'sals', sal_at, coalesce(sql_at < $before, false),
        null, null, null
    from scoped
    where sal_at >= $first and sal_at < $before
    union all
    select
        source, region, segment, 'sqls', sql_at, lead_id in (select lead_id from lead_deals),
        null, null, null
    from scoped
    where sql_at >= $first and sql_at < $before
    union all
    select
        source, region, segment, 'opportunities', opportunity_at, won_on is not null,
        null, null, null
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
    case
        when grouping(source) = 0 then coalesce(source, '(no source)')
        when grouping(region) = 0 then coalesce(region, '(no region)')
        when grouping(segment) = 0 then coalesce(segment, '(no segment)')
        else 'All'
    end as value,
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
