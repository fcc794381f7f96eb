-- Before a write of few leads or deals: what the given leads count in a summary of counts
-- over leads ({counted}: its definition for given leads), kept with the sign -1;
-- summary_add_back adds what they count after the write (+1), and summary_apply_change puts
-- the difference into the summary (relay.summaries.take_out).
create or replace temp table {change} as
select *, -1 as sign
from {counted}($lead_ids::varchar[])
