-- The campaigns' actual costs from the spread spend, versioned as an edit would be.
update campaigns
set actual_cost = changes.cost,
    version = coalesce(campaigns.version, 1) + 1,
    updated_by = $actor,
    updated_at = $at
from import_cost_changes as changes
where campaigns.campaign_id = changes.campaign_id
