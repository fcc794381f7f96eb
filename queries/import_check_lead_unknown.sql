-- A lead ID ({raw}) the store has no lead for.
insert into import_problems
select line, $column_name, {raw}, $reason
from import_typed
where {raw} is not null and {raw} not in (select lead_id from leads)
