-- What the leads of a quarter's campaigns have produced by the end of the as-of day, per
-- campaign: the lead counts of the campaign page (campaign_performance.sql) and of the planning
-- meeting's channel driver (campaign_channel_mqls.sql), one definition for both. Read from
-- campaign_lead_months (migration 0022), corrected for the leads with a date on or after the
-- as-of day's end.
--
-- quarter_campaign_lead_counts(starts_on, ends_before, produced_before, region, segment):
-- campaign_id, leads, mqls, sals, sqls for each campaign of quarter_campaigns with leads that
-- count in the quarter (in the breakdown); a campaign with none has no row.
create or replace macro quarter_campaign_lead_counts(starts_on, ends_before, produced_before,
                                                     region_filter, segment_filter) as table
with scoped as (
    select campaign_id, start_date, end_date
    from quarter_campaigns(starts_on, ends_before, produced_before, region_filter,
                           segment_filter)
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
        >= starts_on
        and greatest(date_trunc('month', scoped.start_date)::date,
                     least(date_trunc('month', scoped.end_date)::date, months.created_month))
        < ends_before
        and (region_filter is null or months.region = region_filter)
        and (segment_filter is null or months.segment = segment_filter)
    group by months.campaign_id
),

-- The leads with a date on or after the as-of day's end, found by each date in turn (each a
-- range the scan prunes by; the parts are disjoint): the summary counts what they reached
-- later, which the figures as of the day must not.
late as (
    select campaign_id, created_at, mql_at, sal_at, sql_at
    from scoped_leads(region_filter, segment_filter)
    where created_at >= produced_before
    union all
    select campaign_id, created_at, mql_at, sal_at, sql_at
    from scoped_leads(region_filter, segment_filter)
    where mql_at >= produced_before
        and created_at < produced_before
    union all
    select campaign_id, created_at, mql_at, sal_at, sql_at
    from scoped_leads(region_filter, segment_filter)
    where sal_at >= produced_before
        and created_at < produced_before
        and not coalesce(mql_at >= produced_before, false)
    union all
    select campaign_id, created_at, mql_at, sal_at, sql_at
    from scoped_leads(region_filter, segment_filter)
    where sql_at >= produced_before
        and created_at < produced_before
        and not coalesce(mql_at >= produced_before, false)
        and not coalesce(sal_at >= produced_before, false)
),

-- Each late lead's counts as of the day (as quarter_campaign_leads and the definition count
-- them) less its counts at any time (as the summary holds them).
late_leads as (
    select
        scoped.campaign_id,
        count(*) filter (where late.created_at < produced_before) - count(*) as leads,
        count(*) filter (where late.created_at < produced_before
            and late.mql_at < produced_before) - count(late.mql_at) as mqls,
        count(*) filter (where late.created_at < produced_before
            and late.sal_at < produced_before and late.mql_at < produced_before)
            - count(*) filter (where late.sal_at is not null and late.mql_at is not null) as sals,
        count(*) filter (where late.created_at < produced_before
            and late.sql_at < produced_before) - count(late.sql_at) as sqls
    from late
    join scoped on scoped.campaign_id = late.campaign_id
    where greatest(scoped.start_date, least(scoped.end_date, late.created_at::date)) >= starts_on
        and greatest(scoped.start_date, least(scoped.end_date, late.created_at::date))
        < ends_before
    group by scoped.campaign_id
)

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
group by campaign_id;
