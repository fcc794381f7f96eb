-- MQLs of the period still waiting (stage mql, nobody has touched them) and older than the
-- SLA: the leads waiting for a first call, oldest first. Same rule as speed_to_lead.sql.
select
    leads.lead_id,
    leads.mql_at,
    leads.name,
    leads.company,
    leads.title,
    leads.email,
    leads.phone,
    epoch($now::timestamp - leads.mql_at) / 3600 as age_hours,
    leads.owner_id,
    coalesce(people.name, 'Unassigned') as rep,
    leads.region,
    leads.segment,
    leads.source,
    campaigns.name as campaign
from scoped_leads($region, $segment) as leads
left join people on people.person_id = leads.owner_id
left join campaigns on campaigns.campaign_id = leads.campaign_id
where leads.mql_at >= $starts_on
    and leads.mql_at < $ends_before
    and (leads.first_touch_at is null or leads.first_touch_at >= $now)
    and leads.stage = 'mql'
    and epoch($now::timestamp - leads.mql_at) / 3600 > $sla_hours
    and ($rep is null or leads.owner_id = $rep)
order by leads.mql_at
