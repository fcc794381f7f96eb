select
    campaign_id,
    name,
    channel,
    region,
    segment,
    owner_id,
    status,
    start_date,
    end_date,
    budget,
    actual_cost,
    expected_leads,
    description,
    version,
    updated_by,
    updated_at
from campaigns
where campaign_id = $campaign_id
