-- A deals file without a stage column: a deal without its {raw} (status or forecast
-- category), which nothing else gives.
insert into import_problems
select line, $column_name, null, $reason
from import_typed
where {raw} is null
