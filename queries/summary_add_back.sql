-- After the write: what the leads summary_take_out took out count now.
insert into {change}
select *, 1 as sign
from {counted}($lead_ids::varchar[])
