-- A forecast whose best case is below its commit (reported on best_case_amount).
insert into import_problems
select line, $column_name, null, $reason
from import_typed
where best_case_amount < commit_amount
