-- A person's name ({raw}) that matches more than one person (import_people).
insert into import_problems
select line, $column_name, {raw}, $reason
from import_typed
where {raw} in (select value from import_people where matches > 1)
