-- Campaigns that run at some point between $starts_on and $ends_on (inclusive), with their
-- owner: the store's range_campaigns (migration 0016), which the calendar's drill-downs read
-- too. An empty list filter means all values.
select
    campaigns.campaign_id,
    campaigns.name,
    campaigns.channel,
    campaigns.region,
    campaigns.segment,
    campaigns.status,
    campaigns.start_date,
    campaigns.end_date,
    campaigns.budget,
    campaigns.actual_cost,
    campaigns.expected_leads,
    campaigns.description,
    campaigns.owner_id,
    people.name as owner_name,
    people.email as owner_email,
    campaigns.version
from range_campaigns($starts_on, $ends_on, $region, $segment, $channels, $statuses, $owners)
    as campaigns
left join people on people.person_id = campaigns.owner_id
order by
    campaigns.start_date,
    campaigns.name
