insert into campaigns (
    campaign_id, name, channel, region, segment, owner_id, status, start_date, end_date,
    budget, actual_cost, expected_leads, description
)
select
    'C' || lpad(campaign_no::varchar, 6, '0') as campaign_id,
    name,
    channel,
    region,
    segment,
    owner_id,
    status,
    start_date::date as start_date,
    end_date::date as end_date,
    budget,
    actual_cost,
    expected_leads,
    description
from demo_campaigns
