-- The deals an accepted import of deals adds or changes (what the summaries kept by deal
-- refresh).
select deal_id
from import_changes
where change in ('new', 'updated')
