-- The leads of the given deals, as the deals are now.
select distinct lead_id
from deals
where deal_id in (select unnest($deal_ids::varchar[]))
    and lead_id is not null
