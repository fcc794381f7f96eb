-- A CRM stage ({raw}) the stage mapping does not know (case-insensitive).
insert into import_problems
select line, $column_name, {raw}, $reason
from import_typed
where {raw} is not null and lower({raw}) not in (select stage from stage_mappings)
