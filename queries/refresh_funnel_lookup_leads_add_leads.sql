-- After a write of deals alone: the leads of the deals it wrote that funnel_lookup_leads
-- does not hold yet (a lead's first deal) join it, every row of theirs.
insert into funnel_lookup_leads
select *
from funnel_lookup_leads_live
where lead_id in (select unnest($lead_ids::varchar[]))
    and lead_id not in (select lead_id from funnel_lookup_leads)
