-- The deals behind the pipeline and revenue from the quarter's campaign leads
-- (campaign_performance.sql's `deal_stats`, the same filters): deals of those leads created
-- by $so_far_before, open deals marked omitted left out ($which 'pipeline'), or won with a
-- close date before it ($which 'revenue'). $campaign_id null: every campaign of the quarter.
with scoped as (
    select campaign_id, name, start_date, end_date
    from campaigns
    where start_date < $ends_before
        and end_date >= $starts_on
        and ($region is null or region = $region or region is null)
        and ($segment is null or segment = $segment or segment is null)
        and ($campaign_id is null or campaign_id = $campaign_id)
),

-- A lead listed twice must not count its deals twice.
lead_campaign as (
    select
        leads.lead_id,
        any_value(scoped.name) as campaign
    from scoped_leads($region, $segment) as leads
    join scoped on scoped.campaign_id = leads.campaign_id
    where greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date))
        >= $starts_on
        and greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date))
        < $ends_before
        and leads.created_at < $so_far_before
    group by leads.lead_id
)

select
    deals.deal_id,
    deals.account,
    coalesce(people.name, deals.owner_id) as owner,
    deals.amount,
    deals.status,
    deals.forecast_category,
    deals.created_at::date as created_on,
    deals.close_date,
    lead_campaign.campaign,
    deals.region,
    deals.segment,
    count(*) over () as record_count,
    sum(deals.amount) over () as record_total
from deals
join lead_campaign on lead_campaign.lead_id = deals.lead_id
left join people on people.person_id = deals.owner_id
where case $which
    when 'revenue' then deals.status = 'won' and deals.close_date < $so_far_before
    else deals.created_at < $so_far_before
        and not (deals.status = 'open' and deals.forecast_category = 'omitted')
end
order by deals.amount desc, deals.deal_id
limit $row_limit
