-- A value ({raw}) that is not one of its column's kind: its typed value ({column}) is null.
insert into import_problems
select line, $column_name, {raw}, $reason
from import_typed
where {raw} is not null and {column} is null
