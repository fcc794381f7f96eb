-- After the write: what the leads funnel_months_take_out took out count now.
insert into funnel_months_change
select *
from funnel_months_of($lead_ids::varchar[])
