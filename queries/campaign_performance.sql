-- Every campaign that ran in the quarter, with its cost in the quarter and what its leads
-- of the quarter (in the region and segment chosen) have produced by the end of the as-of
-- day ($produced_before): leads, MQLs, SALs, SQLs, the pipeline of deals from those leads
-- (open deals marked omitted excluded) and the revenue won from them. Which campaigns, their
-- cost in the quarter and which leads count are the store's macros quarter_campaigns and
-- quarter_campaign_leads, which the records behind these figures (drill_campaign_*) read too.
-- The figures are read from the summaries campaign_lead_months (through the store's
-- quarter_campaign_lead_counts, which the meeting's channel driver reads too) and
-- campaign_deals (migration 0022); campaign_performance_from_leads.sql is the same rows read
-- from every lead.
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

lead_stats as (
    select *
    from quarter_campaign_lead_counts($starts_on, $ends_before, $produced_before, $region,
                                      $segment)
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
