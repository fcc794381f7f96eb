-- A required column ({raw}, headed $column_name) with no value: the rows that lack one.
insert into import_problems
select line, $column_name, {raw}, $reason
from import_typed
where {raw} is null
