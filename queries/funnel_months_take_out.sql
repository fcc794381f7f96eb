-- Before a write of few leads or deals: what the given leads count in funnel_months as they
-- stand, kept negated; funnel_months_add_back adds what they count after the write, and
-- funnel_months_apply_change puts the difference into the summary.
create or replace temp table funnel_months_change as
select * replace (-events as events)
from funnel_months_of($lead_ids::varchar[])
