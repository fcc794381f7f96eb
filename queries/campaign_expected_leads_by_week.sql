-- Leads the given campaigns (not cancelled) are expected to bring per week (weeks start on
-- Monday) between $starts_on and $ends_on: the store's expected_lead_days (each campaign's
-- expected_leads spread evenly over its days), which drill_calendar_campaigns sums by campaign.
select
    date_trunc('week', day)::date as week,
    sum(leads_per_day) as expected_leads
from expected_lead_days($starts_on, $ends_on)
where campaign_id in (select unnest($campaign_ids::varchar[]))
group by week
order by week
