-- The leads an accepted import of leads or touches adds or changes (whose deals' credits the
-- deal_credits summary derives again).
select distinct lead_id
from import_changes
where change in ('new', 'updated')
