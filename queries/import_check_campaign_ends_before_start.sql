-- A campaign that ends before it starts (reported on end_date, $column_name).
insert into import_problems
select line, $column_name, null, $reason
from import_typed
where end_date < start_date
