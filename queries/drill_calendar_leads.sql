-- The leads behind the calendar's "leads arrived": those of the range's campaigns (the
-- store's range_campaigns, as calendar_campaigns lists them) that arrived from $starts_on to
-- before $ends_before (the day after the range's last day, or after today if sooner), as
-- campaign_leads_by_week counts them by week.
select
    leads.lead_id,
    leads.name,
    leads.company,
    leads.title,
    leads.source,
    campaigns.name as campaign,
    coalesce(people.name, leads.owner_id) as owner,
    leads.stage,
    leads.created_at,
    leads.mql_at,
    leads.sal_at,
    leads.sql_at,
    leads.region,
    leads.segment,
    count(*) over () as record_count
from leads
join range_campaigns($starts_on, $ends_on, $region, $segment, $channels, $statuses, $owners)
    as campaigns using (campaign_id)
left join people on people.person_id = leads.owner_id
where leads.created_at >= $starts_on
    and leads.created_at < $ends_before
order by leads.created_at, leads.lead_id
limit $row_limit
