-- MQLs of the period still waiting (stage mql, nobody has touched them) and older than the
-- SLA: the leads waiting for a first call, oldest first. Same rules as speed_to_lead.sql,
-- including leaving out the MQLs of a rep who does not have touches recorded.
with period as (
    select *
    from scoped_leads($region, $segment)
    where mql_at >= $starts_on
        and mql_at < $ends_before
),

untracked_owners as (
    select owner_id, true as untracked
    from period
    group by owner_id
    having count(first_touch_at) = 0
        and count(*) filter (where stage in ('sal', 'sql', 'opportunity')) > 0
)

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
from period as leads
left join people on people.person_id = leads.owner_id
left join campaigns on campaigns.campaign_id = leads.campaign_id
left join untracked_owners on untracked_owners.owner_id is not distinct from leads.owner_id
where (leads.first_touch_at is null or leads.first_touch_at >= $now)
    and leads.stage = 'mql'
    and epoch($now::timestamp - leads.mql_at) / 3600 > $sla_hours
    and ($rep is null or leads.owner_id = $rep)
    and untracked_owners.untracked is null
order by leads.mql_at
