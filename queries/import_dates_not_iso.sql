-- Per date column of import_raw ({columns}): how many of its non-empty values ISO 8601 does
-- not read (the date_iso macro; $zoned its pattern of a UTC offset). Most files are ISO: one
-- pass says which columns are. A column with no value has no row.
select name, count(*) filter (where date_iso(v, $zoned) is null) as not_iso
from (
    select name, nullif(trim(raw), '') as v
    from (unpivot (select {columns} from import_raw) on columns(*) into name name value raw)
)
where v is not null
group by name
