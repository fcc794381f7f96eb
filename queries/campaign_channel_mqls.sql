-- The MQLs of each channel's campaigns in the quarter (in the region and segment chosen) by the
-- end of the as-of day ($produced_before): the mqls of campaign_performance.sql summed by
-- channel, without the deals and costs that query also reads (the planning meeting's channel
-- driver needs the MQLs alone). The same steps as there (quarter_campaigns, the
-- campaign_lead_months sums and the correction for the leads dated after the as-of day);
-- tests/test_campaign_summaries.py holds the two equal.
with scoped as (
    select
        campaign_id,
        channel,
        start_date,
        end_date
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
)

select scoped.channel, coalesce(sum(counted.mqls), 0)::bigint as mqls
from scoped
left join (
    select campaign_id, mqls from summed_leads
    union all
    select campaign_id, mqls from late_leads
) as counted using (campaign_id)
group by scoped.channel
