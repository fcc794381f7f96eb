-- A campaign ID ({raw}) the store has no campaign for.
insert into import_problems
select line, $column_name, {raw}, $reason
from import_typed
where {raw} is not null and {raw} not in (select campaign_id from campaigns)
