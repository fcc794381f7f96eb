-- Per date column of import_raw ($columns, their names as a list; one figure each, named
-- for its column, in the table's order, not the list's): how many of its non-empty values
-- ISO 8601 does not read (the date_iso macro; $zoned its pattern of a UTC offset). Most
-- files are ISO: one pass says which columns are.
select
    count_if(
        nullif(trim(columns($columns)), '') is not null
        and date_iso(nullif(trim(columns($columns)), ''), $zoned) is null
    )
from import_raw
