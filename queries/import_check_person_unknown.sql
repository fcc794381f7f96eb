-- A person ({raw}) who is not in the store, where the import does not create them.
insert into import_problems
select line, $column_name, {raw}, $reason
from import_typed
where {raw} in (select value from import_people where person_id is null)
