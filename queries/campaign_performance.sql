-- Every campaign that ran in the quarter, with its cost in the quarter and what its leads
-- of the quarter (in the region and segment chosen; see campaign_leads) have produced by
-- the end of the as-of day ($produced_before): leads, MQLs, SALs, SQLs, the pipeline of
-- deals from those leads (open deals marked omitted excluded) and the revenue won from them.
-- A campaign's recorded cost is what it has spent by the as-of day, spread evenly over its
-- days up to then (all of them once it has ended; its first day if it has not started): the
-- quarter takes the share of those days in it, so the quarters a campaign spans add up to
-- its cost (null: no cost recorded; 0: free).
with running as (
    select
        *,
        greatest(start_date, least(end_date, $produced_before - 1)) as spent_until
    from campaigns
    where start_date < $ends_before
        and end_date >= $starts_on
        and ($region is null or region = $region or region is null)
        and ($segment is null or segment = $segment or segment is null)
),

scoped as (
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
        greatest(
            date_diff('day', greatest(start_date, $starts_on),
                      least(spent_until, $ends_before - 1)) + 1,
            0
        ) as spent_days_in_quarter,
        date_diff('day', start_date, spent_until) + 1 as spent_days
    from running
),

-- A lead counts in the quarter it arrived in, held to its campaign's days: one that arrives
-- after the campaign ended (a replay, a late form) counts in the campaign's last quarter, one
-- before it started in its first, so the quarters add up to all the campaign's leads.
campaign_leads as (
    select
        leads.lead_id,
        leads.campaign_id,
        leads.mql_at,
        leads.sal_at,
        leads.sql_at
    from scoped_leads($region, $segment) as leads
    join scoped on scoped.campaign_id = leads.campaign_id
    where greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date))
        >= $starts_on
        and greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date))
        < $ends_before
        and leads.created_at < $produced_before
),

lead_stats as (
    select
        campaign_id,
        count(*) as leads,
        count(*) filter (where mql_at < $produced_before) as mqls,
        -- Accepted MQLs: a SAL without an MQL date cannot count towards acceptance.
        count(*) filter (where sal_at < $produced_before and mql_at < $produced_before) as sals,
        count(*) filter (where sql_at < $produced_before) as sqls
    from campaign_leads
    group by campaign_id
),

-- A lead listed twice must not count its deals twice.
lead_campaign as (
    select
        lead_id,
        any_value(campaign_id) as campaign_id
    from campaign_leads
    group by lead_id
),

deal_stats as (
    select
        lead_campaign.campaign_id,
        sum(deals.amount) filter (
            where deals.created_at < $produced_before
                and not (deals.status = 'open' and deals.forecast_category = 'omitted')
        ) as sourced_pipeline,
        sum(deals.amount) filter (
            where deals.status = 'won' and deals.close_date < $produced_before
        ) as sourced_revenue
    from deals
    join lead_campaign on lead_campaign.lead_id = deals.lead_id
    group by lead_campaign.campaign_id
)

select
    scoped.* exclude (spent_days_in_quarter, spent_days),
    scoped.actual_cost::double * scoped.spent_days_in_quarter / scoped.spent_days
        as cost_in_quarter,
    coalesce(lead_stats.leads, 0) as leads,
    coalesce(lead_stats.mqls, 0) as mqls,
    coalesce(lead_stats.sals, 0) as sals,
    coalesce(lead_stats.sqls, 0) as sqls,
    coalesce(deal_stats.sourced_pipeline, 0) as sourced_pipeline,
    coalesce(deal_stats.sourced_revenue, 0) as sourced_revenue
from scoped
left join lead_stats using (campaign_id)
left join deal_stats using (campaign_id)
order by scoped.start_date, scoped.name
