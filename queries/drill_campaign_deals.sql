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

campaign_leads as (
    select leads.lead_id
    from scoped_leads($region, $segment) as leads
    join scoped on scoped.campaign_id = leads.campaign_id
    where greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date))
        >= $starts_on
        and greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date))
        < $ends_before
        and leads.created_at < $so_far_before
),

-- A semi-join: a lead listed twice does not count its deals twice.
chosen as (
    select *
    from deals
    where deals.lead_id in (select lead_id from campaign_leads)
        and case $which
            when 'revenue' then deals.status = 'won' and deals.close_date < $so_far_before
            else deals.created_at < $so_far_before
                and not (deals.status = 'open' and deals.forecast_category = 'omitted')
        end
),

first_rows as (
    select *
    from chosen
    order by amount desc, deal_id
    limit $row_limit
),

-- The campaign each shown deal's lead came from.
lead_campaign as (
    select
        leads.lead_id,
        any_value(campaigns.name) as campaign
    from leads
    join campaigns using (campaign_id)
    where leads.lead_id in (select lead_id from first_rows)
    group by leads.lead_id
)

select
    first_rows.deal_id,
    first_rows.account,
    coalesce(people.name, first_rows.owner_id) as owner,
    first_rows.amount,
    first_rows.status,
    first_rows.forecast_category,
    first_rows.created_at::date as created_on,
    first_rows.close_date,
    lead_campaign.campaign,
    first_rows.region,
    first_rows.segment,
    (select count(*) from chosen) as record_count,
    (select sum(amount) from chosen) as record_total
from first_rows
left join lead_campaign using (lead_id)
left join people on people.person_id = first_rows.owner_id
order by first_rows.amount desc, first_rows.deal_id
