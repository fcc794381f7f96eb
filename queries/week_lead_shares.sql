-- Leads created in the look-back, per region and segment: all of them and the rep's own
-- (what a campaign's expected leads are shared out by).
select
    region,
    segment,
    count(*) as leads,
    count(*) filter (where owner_id = $rep) as rep_leads
from leads
where created_at >= $since
    and created_at < $until
group by region, segment
