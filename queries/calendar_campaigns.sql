-- Campaigns that run at some point between $starts_on and $ends_on (inclusive), with their
-- owner. An empty list filter means all values.
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
from campaigns
left join people on people.person_id = campaigns.owner_id
where campaigns.start_date <= $ends_on
    and campaigns.end_date >= $starts_on
    -- A campaign for all regions (segments) runs in every one of them.
    and ($region is null or campaigns.region = $region or campaigns.region is null)
    and ($segment is null or campaigns.segment = $segment or campaigns.segment is null)
    and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], campaigns.channel))
    and (len($statuses::varchar[]) = 0 or list_contains($statuses::varchar[], campaigns.status))
    and (len($owners::varchar[]) = 0 or list_contains($owners::varchar[], campaigns.owner_id))
order by
    campaigns.start_date,
    campaigns.name
