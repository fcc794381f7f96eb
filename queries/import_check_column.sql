-- A problem of a whole column (an amount style, a date order read two ways): no line.
insert into import_problems
values (null, $column_name, $value, $reason)
