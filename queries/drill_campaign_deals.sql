-- The deals behind the pipeline and revenue from the quarter's campaign leads
-- (campaign_performance.sql's `deal_stats`, the same leads: the store's
-- quarter_campaign_leads): deals of those leads created by $produced_before, open deals
-- marked omitted left out ($which 'pipeline'), or won with a close date before it ($which
-- 'revenue'). $campaign_id null: every campaign of the quarter; $channel, if set, only that
-- channel's campaigns (a row of the channel table).
with campaign_leads as (
    select lead_id
    from quarter_campaign_leads($starts_on, $ends_before, $produced_before, $region,
                                $segment)
    where ($campaign_id is null or campaign_id = $campaign_id)
        and ($channel is null or campaign_id in (
            select campaign_id from campaigns where channel = $channel))
),

-- A semi-join: a lead listed twice does not count its deals twice.
chosen as (
    select *
    from deals
    where deals.lead_id in (select lead_id from campaign_leads)
        and case $which
            when 'revenue' then deals.status = 'won' and deals.close_date < $produced_before
            else deals.created_at < $produced_before
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
