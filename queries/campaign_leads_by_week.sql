-- Leads that arrived from the given campaigns, per week (weeks start on Monday).
select
    date_trunc('week', created_at)::date as week,
    count(*) as leads
from leads
where list_contains($campaign_ids::varchar[], campaign_id)
    and created_at >= $starts_on
    and created_at < $ends_before
group by week
order by week
