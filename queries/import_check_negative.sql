-- An amount, count or number ({column}) below zero.
insert into import_problems
select line, $column_name, {raw}, $reason
from import_typed
where {column} < 0
