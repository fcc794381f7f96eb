-- Only the version the planner saw may be replaced (count 0 otherwise). No RETURNING: see
-- update_goal_target.sql.
update campaigns
set
    name = $name,
    channel = $channel,
    region = $region,
    segment = $segment,
    owner_id = $owner_id,
    status = $status,
    start_date = $start_date,
    end_date = $end_date,
    budget = $budget,
    actual_cost = $actual_cost,
    expected_leads = $expected_leads,
    description = $description,
    version = version + 1,
    updated_by = $actor,
    updated_at = $at
where campaign_id = $campaign_id
    and version = $expected_version
