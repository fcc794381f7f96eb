-- Before an accepted import of deals writes: the leads of the deals it adds or changes, as
-- the store has them (an update may move a deal to another lead: both count anew).
select distinct lead_id
from deals
where deal_id in (select deal_id from import_changes where change in ('new', 'updated'))
    and lead_id is not null
