-- funnel_by_quarter's rows (the same columns and figures) from the funnel_months summary: its
-- events as they stood at the start of the as-of month ($before's), corrected for the days
-- of that month before $before from the source tables. The correction reads only the leads
-- whose figures can differ between the two moments: those with a date in the as-of month (a
-- stage reached, a deal created, a won deal closed) and those listed twice (not in the
-- summary). It counts their events as funnel_by_quarter does at $before, and takes back
-- those the summary counted for them (as funnel_by_quarter would at the month's start).
with bounds as (
    select
        date_trunc('month', $before::date)::date as month_start,
        (date_trunc('month', $before::date) + interval 1 month)::date as month_end
),

summed as (
    select
        stage, reached_month as reached_at, events as weight,
        coalesce(next_month < month_start, false) as went_on,
        case when stage = 'mqls' then coalesce(sql_month < month_start, false) end as to_sql,
        case when stage = 'mqls' then coalesce(opportunity_month < month_start, false) end
            as to_opportunity,
        case when stage = 'mqls' then coalesce(won_month < month_start, false) end as to_won,
        source, region, segment
    from funnel_months, bounds
    where reached_month >= $first
        and counts_from < month_start
        and (counts_until is null or counts_until >= month_start)
        and ($region is null or region = $region)
        and ($segment is null or segment = $segment)
),

-- Each lead whose events may differ between the month's start and $before at $before
-- (weight 1) and, unless the summary leaves it out (listed twice), at the month's start
-- (weight -1; the two cancel when $before is a month's start).
moments as (
    select $before::date as before, 1 as weight
    union all
    select month_start, -1 from bounds
),

-- Apart (a union all of disjoint parts): the leads dated in the month, found by each date
-- in turn (each a range on one column, which the scan prunes by), and the few others by
-- their ids in the summary of the leads looked up by id (funnel_lookup_leads: those with a
-- deal and those listed twice), so that no scan reads every lead's id.
unsettled as (
    select lead_id, source, region, segment, created_at, mql_at, sal_at, sql_at
    from scoped_leads($region, $segment)
    where created_at >= date_trunc('month', $before::date)::timestamp
        and created_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp
    union all
    select lead_id, source, region, segment, created_at, mql_at, sal_at, sql_at
    from scoped_leads($region, $segment)
    where mql_at >= date_trunc('month', $before::date)::timestamp
        and mql_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp
        and not coalesce(created_at >= date_trunc('month', $before::date)::timestamp
            and created_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
    union all
    select lead_id, source, region, segment, created_at, mql_at, sal_at, sql_at
    from scoped_leads($region, $segment)
    where sal_at >= date_trunc('month', $before::date)::timestamp
        and sal_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp
        and not coalesce(created_at >= date_trunc('month', $before::date)::timestamp
            and created_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
        and not coalesce(mql_at >= date_trunc('month', $before::date)::timestamp
            and mql_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
    union all
    select lead_id, source, region, segment, created_at, mql_at, sal_at, sql_at
    from scoped_leads($region, $segment)
    where sql_at >= date_trunc('month', $before::date)::timestamp
        and sql_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp
        and not coalesce(created_at >= date_trunc('month', $before::date)::timestamp
            and created_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
        and not coalesce(mql_at >= date_trunc('month', $before::date)::timestamp
            and mql_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
        and not coalesce(sal_at >= date_trunc('month', $before::date)::timestamp
            and sal_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
    union all
    select lead_id, source, region, segment, created_at, mql_at, sal_at, sql_at
    from funnel_lookup_leads
    where ($region is null or region = $region)
        and ($segment is null or segment = $segment)
        and lead_id in (
            select lead_id
            from deals
            where (created_at >= date_trunc('month', $before::date)::timestamp
                    and created_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp)
                or (status = 'won' and close_date >= date_trunc('month', $before::date)::timestamp
                    and close_date < (date_trunc('month', $before::date) + interval 1 month)::timestamp)
            union
            select lead_id from funnel_listed_twice
        )
        and not coalesce(created_at >= date_trunc('month', $before::date)::timestamp
            and created_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
        and not coalesce(mql_at >= date_trunc('month', $before::date)::timestamp
            and mql_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
        and not coalesce(sal_at >= date_trunc('month', $before::date)::timestamp
            and sal_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
        and not coalesce(sql_at >= date_trunc('month', $before::date)::timestamp
            and sql_at < (date_trunc('month', $before::date) + interval 1 month)::timestamp, false)
),

-- The deals of those leads, found before they are paired with the two moments (paired
-- first, every deal would be, twice).
unsettled_deals as materialized (
    select lead_id, created_at, status, close_date
    from deals
    where lead_id in (select lead_id from unsettled)
),

lead_deals as (
    select
        lead_id,
        moments.before,
        moments.weight,
        min(created_at) as opportunity_at,
        max(close_date) filter (where status = 'won' and close_date < moments.before) as won_on
    from unsettled_deals, moments
    where created_at < moments.before
    group by lead_id, moments.before, moments.weight
),

scoped as (
    select
        unsettled.*,
        moments.before,
        moments.weight,
        lead_deals.lead_id is not null as to_opportunity,
        lead_deals.won_on is not null as to_won
    from unsettled
    cross join moments
    left join lead_deals
        on lead_deals.lead_id = unsettled.lead_id
        and lead_deals.before = moments.before
        and lead_deals.weight = moments.weight
    where moments.weight = 1
        or unsettled.lead_id not in (select lead_id from funnel_listed_twice)
),

-- One row per lead with a deal, even if the lead is listed twice; at the month's start only
-- for the leads the summary counted (as in scoped). The attributes are gathered for the
-- leads with a deal alone, not for every unsettled lead.
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
        from unsettled
        where lead_id in (select lead_id from lead_deals)
        group by lead_id
    ) as lead_attributes using (lead_id)
    where lead_deals.weight = 1
        or lead_deals.lead_id not in (select lead_id from funnel_listed_twice)
),

corrections as (
    select
        'inquiries' as stage, created_at as reached_at, weight,
        mql_at < before as went_on,
        null::boolean as to_sql, null::boolean as to_opportunity, null::boolean as to_won,
        source, region, segment
    from scoped
    where created_at >= $first and created_at < before
    union all
    select
        'mqls', scoped.mql_at, scoped.weight, coalesce(scoped.sal_at < scoped.before, false),
        coalesce(scoped.sql_at < scoped.before, false),
        scoped.to_opportunity,
        scoped.to_won,
        scoped.source, scoped.region, scoped.segment
    from scoped
    where scoped.mql_at >= $first and scoped.mql_at < scoped.before
    union all
    select
        'sals', sal_at, weight, coalesce(sql_at < before, false), null, null, null,
        source, region, segment
    from scoped
    where sal_at >= $first and sal_at < before
    union all
    select
        'sqls', scoped.sql_at, scoped.weight,
        scoped.to_opportunity,
        null, null, null, scoped.source, scoped.region, scoped.segment
    from scoped
    where scoped.sql_at >= $first and scoped.sql_at < scoped.before
    union all
    select
        'opportunities', opportunity_at, weight, won_on is not null, null, null, null,
        source, region, segment
    from opportunities
    where opportunity_at >= $first and opportunity_at < before
    union all
    select 'won', won_on, weight, false, null, null, null, source, region, segment
    from opportunities
    where won_on >= $first and won_on < before
),

events as (
    select stage, reached_at, weight, went_on, to_sql, to_opportunity, to_won,
        source, region, segment
    from summed
    union all
    select stage, reached_at, weight, went_on, to_sql, to_opportunity, to_won,
        source, region, segment
    from corrections
),

-- Summed by quarter and breakdown first, so that the four grouping sets below add up a few
-- thousand rows rather than each reading every event.
by_quarter as (
    select
        (floor((year(reached_at) * 12 + month(reached_at) - $start_month) / 3)
            + case when $start_month = 1 then 0 else 4 end)::integer as quarter_index,
        stage, source, region, segment,
        sum(weight) as reached,
        coalesce(sum(weight) filter (where went_on), 0) as went_on,
        coalesce(sum(weight) filter (where to_sql), 0) as to_sql,
        coalesce(sum(weight) filter (where to_opportunity), 0) as to_opportunity,
        coalesce(sum(weight) filter (where to_won), 0) as to_won
    from events
    group by all
)

select
    quarter_index,
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
    sum(reached)::bigint as reached,
    sum(went_on)::bigint as went_on,
    sum(to_sql)::bigint as to_sql,
    sum(to_opportunity)::bigint as to_opportunity,
    sum(to_won)::bigint as to_won
from by_quarter
group by grouping sets (
    (quarter_index, stage),
    (quarter_index, stage, source),
    (quarter_index, stage, region),
    (quarter_index, stage, segment)
)
having sum(reached) > 0
