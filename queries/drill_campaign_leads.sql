-- The leads behind a campaign's row on the campaign page: the store's quarter_campaign_leads,
-- as campaign_performance reads them (its leads in the breakdown counted in the quarter, by
-- the as-of day). $campaign_id null: every campaign of the quarter; $channel, if set, only
-- that channel's campaigns (a row of the channel table). record_count is over
-- every matching lead, before the cap.
select
    leads.lead_id,
    leads.name,
    leads.company,
    leads.title,
    leads.source,
    leads.campaign,
    coalesce(people.name, leads.owner_id) as owner,
    leads.stage,
    leads.created_at,
    leads.mql_at,
    leads.sal_at,
    leads.sql_at,
    leads.first_touch_at,
    leads.region,
    leads.segment,
    count(*) over () as record_count
from quarter_campaign_leads($starts_on, $ends_before, $produced_before, $region, $segment)
    as leads
left join people on people.person_id = leads.owner_id
where ($campaign_id is null or leads.campaign_id = $campaign_id)
    and ($channel is null or leads.campaign_id in (
        select campaign_id from campaigns where channel = $channel))
order by leads.created_at, leads.lead_id
limit $row_limit
