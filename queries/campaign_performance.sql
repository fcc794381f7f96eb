-- Every campaign that ran in the quarter, with its cost in the quarter and what its leads
-- of the quarter (in the region and segment chosen) have produced by the end of the as-of
-- day ($produced_before): leads, MQLs, SALs, SQLs, the pipeline of deals from those leads
-- (open deals marked omitted excluded) and the revenue won from them. Which campaigns, their
-- cost in the quarter and which leads count are the store's macros quarter_campaigns and
-- quarter_campaign_leads, which the records behind these figures (drill_campaign_*) read too.
-- The figures are read from the summaries campaign_lead_months and campaign_deals (migration
-- 0022); campaign_performance_from_leads.sql is the same rows read from every lead.
with scoped as (
    select
        campaign_id,
        name,
        channel,
        region,
        segment,
        status,
        start_date,
        end_date,
        actual_cost,
        cost_in_quarter
    from quarter_campaigns($starts_on, $ends_before, $produced_before, $region, $segment)
),

-- A lead counts in the quarter of its created day held to its campaign's days: at month grain,
-- its created month held to the campaign's first and last months (a quarter's edges are
-- months' edges). These are the counts at any time, corrected below.
summed_leads as (
    select
        months.campaign_id,
        sum(months.leads) as leads,
        sum(months.mqls) as mqls,
        sum(months.sals) as sals,
        sum(months.sqls) as sqls
    from campaign_lead_months as months
    join scoped on scoped.campaign_id = months.campaign_id
    where greatest(date_trunc('month', scoped.start_date)::date,
                   least(date_trunc('month', scoped.end_date)::date, months.created_month))
        >= $starts_on
        and greatest(date_trunc('month', scoped.start_date)::date,
                     least(date_trunc('month', scoped.end_date)::date, months.created_month))
        < $ends_before
        and ($region is null or months.region = $region)
        and ($segment is null or months.segment = $segment)
    group by months.campaign_id
),

-- The leads with a date on or after the as-of day's end, found by each date in turn (each a
-- range the scan prunes by; the parts are disjoint): the summary counts what they reached
-- later, which the figures as of the day must not.
late as (
    select campaign_id, created_at, mql_at, sal_at, sql_at
    from scoped_leads($region, $segment)
    where created_at >= $produced_before
    union all
    select campaign_id, created_at, mql_at, sal_at, sql_at
    from scoped_leads($region, $segment)
    where mql_at >= $produced_before
        and created_at < $produced_before
    union all
    select campaign_id, created_at, mql_at, sal_at, sql_at
    from scoped_leads($region, $segment)
    where sal_at >= $produced_before
        and created_at < $produced_before
        and not coalesce(mql_at >= $produced_before, false)
    union all
    select campaign_id, created_at, mql_at, sal_at, sql_at
    from scoped_leads($region, $segment)
    where sql_at >= $produced_before
        and created_at < $produced_before
        and not coalesce(mql_at >= $produced_before, false)
        and not coalesce(sal_at >= $produced_before, false)
),

-- Each late lead's counts as of the day (as quarter_campaign_leads and the definition count
-- them) less its counts at any time (as the summary holds them).
late_leads as (
    select
        scoped.campaign_id,
        count(*) filter (where late.created_at < $produced_before) - count(*) as leads,
        count(*) filter (where late.created_at < $produced_before
            and late.mql_at < $produced_before) - count(late.mql_at) as mqls,
        count(*) filter (where late.created_at < $produced_before
            and late.sal_at < $produced_before and late.mql_at < $produced_before)
            - count(*) filter (where late.sal_at is not null and late.mql_at is not null) as sals,
        count(*) filter (where late.created_at < $produced_before
            and late.sql_at < $produced_before) - count(late.sql_at) as sqls
    from late
    join scoped on scoped.campaign_id = late.campaign_id
    where greatest(scoped.start_date, least(scoped.end_date, late.created_at::date)) >= $starts_on
        and greatest(scoped.start_date, least(scoped.end_date, late.created_at::date))
        < $ends_before
    group by scoped.campaign_id
),

lead_stats as (
    select
        campaign_id,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sals) as sals,
        sum(sqls) as sqls
    from (
        select campaign_id, leads, mqls, sals, sqls from summed_leads
        union all
        select campaign_id, leads, mqls, sals, sqls from late_leads
    )
    group by campaign_id
),

-- A lead listed twice must not count its deals twice, and its campaign is the one of its rows
-- counted in the quarter (as quarter_campaign_leads counts them): read from the leads, starting
-- from the few listed twice. The summary holds every other deal of a campaign's lead, with its
-- lead's campaign, breakdown and creation.
twice_campaign as (
    select
        leads.lead_id,
        any_value(leads.campaign_id) as campaign_id
    from funnel_listed_twice
    join scoped_leads($region, $segment) as leads
        on leads.lead_id = funnel_listed_twice.lead_id
    join scoped on scoped.campaign_id = leads.campaign_id
    where greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date)) >= $starts_on
        and greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date))
        < $ends_before
        and leads.created_at < $produced_before
    group by leads.lead_id
),

campaign_deals_counted as (
    select
        campaign_deals.campaign_id,
        campaign_deals.amount,
        campaign_deals.status,
        campaign_deals.forecast_category,
        campaign_deals.created_at,
        campaign_deals.close_date
    from campaign_deals
    join scoped on scoped.campaign_id = campaign_deals.campaign_id
    where greatest(scoped.start_date,
                   least(scoped.end_date, campaign_deals.lead_created_at::date)) >= $starts_on
        and greatest(scoped.start_date,
                     least(scoped.end_date, campaign_deals.lead_created_at::date)) < $ends_before
        and campaign_deals.lead_created_at < $produced_before
        and ($region is null or campaign_deals.region = $region)
        and ($segment is null or campaign_deals.segment = $segment)
    union all
    select
        twice_campaign.campaign_id,
        deals.amount,
        deals.status,
        deals.forecast_category,
        deals.created_at,
        deals.close_date
    from deals
    join twice_campaign on twice_campaign.lead_id = deals.lead_id
),

deal_stats as (
    select
        campaign_id,
        sum(amount) filter (
            where created_at < $produced_before
                and not (status = 'open' and forecast_category = 'omitted')
        ) as sourced_pipeline,
        sum(amount) filter (
            where status = 'won' and close_date < $produced_before
        ) as sourced_revenue
    from campaign_deals_counted
    group by campaign_id
)

select
    scoped.*,
    coalesce(lead_stats.leads, 0)::bigint as leads,
    coalesce(lead_stats.mqls, 0)::bigint as mqls,
    coalesce(lead_stats.sals, 0)::bigint as sals,
    coalesce(lead_stats.sqls, 0)::bigint as sqls,
    coalesce(deal_stats.sourced_pipeline, 0) as sourced_pipeline,
    coalesce(deal_stats.sourced_revenue, 0) as sourced_revenue
from scoped
left join lead_stats using (campaign_id)
left join deal_stats using (campaign_id)
order by scoped.start_date, scoped.name
