-- The definition campaign_performance.sql is checked against (tests/test_campaign_summaries.py):
-- the same rows counted on every lead of the quarter's campaigns and their deals, without the
-- campaign_lead_months and campaign_deals summaries.
--
-- Every campaign that ran in the quarter, with its cost in the quarter and what its leads
-- of the quarter (in the region and segment chosen) have produced by the end of the as-of
-- day ($produced_before): leads, MQLs, SALs, SQLs, the pipeline of deals from those leads
-- (open deals marked omitted excluded) and the revenue won from them. Which campaigns, their
-- cost in the quarter and which leads count are the store's macros quarter_campaigns and
-- quarter_campaign_leads, which the records behind these figures (drill_campaign_*) read too.
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

campaign_leads as (
    select
        lead_id,
        campaign_id,
        mql_at,
        sal_at,
        sql_at
    from quarter_campaign_leads($starts_on, $ends_before, $produced_before, $region,
                                $segment)
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
    scoped.*,
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
