-- A row whose key ({key}) an earlier line of the file has too: reported with its {raw} and
-- that first line.
insert into import_problems
select line, $column_name, {raw}, $reason || first_line
from (
    select line, {raw}, min(line) over (partition by {key}) as first_line
    from import_typed
)
where line > first_line
