-- The deals of the given leads.
select deal_id
from deals
where lead_id in (select unnest($lead_ids::varchar[]))
