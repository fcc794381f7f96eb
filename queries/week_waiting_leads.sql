-- One rep's MQLs still waiting for a first touch (stage mql, nobody has touched them) by the
-- end of the as-of day, whatever quarter they became MQLs in (a lead of last quarter still
-- waits on the first day of this one), with who they are and where they came from, oldest
-- first: the same leads as open_breaches.sql for that rep over the same period, and those
-- still inside the SLA too (within_sla). Whether the rep has touches recorded at all is
-- week_rep_untracked.sql's to say.
select
    leads.lead_id,
    leads.name,
    leads.company,
    leads.title,
    leads.email,
    leads.phone,
    leads.mql_at,
    epoch($now::timestamp - leads.mql_at) / 3600 as age_hours,
    epoch($now::timestamp - leads.mql_at) / 3600 <= $sla_hours as within_sla,
    leads.source,
    campaigns.name as campaign,
    leads.region,
    leads.segment
from leads
left join campaigns on campaigns.campaign_id = leads.campaign_id
where leads.owner_id = $rep
    and leads.mql_at < $ends_before
    and leads.mql_at <= $now
    and (leads.first_touch_at is null or leads.first_touch_at >= $now)
    and leads.stage = 'mql'
order by leads.mql_at, leads.lead_id
