-- One date column of import_raw ({column}): its non-empty values, how many of them each
-- family (relay.dates.FAMILY_ORDER: ISO, M/D/Y, D/M/Y, Excel serial) does not read, and the
-- first value M/D/Y and D/M/Y read differently (null if none). The patterns are bound
-- (relay.dates.family_params).
select
    count(*) as "values",
    count(*) filter (where date_iso(v, $zoned) is null) as iso,
    count(*) filter (where date_day_month(v, $year4, $year2, $mdy4, $mdy2) is null) as mdy,
    count(*) filter (where date_day_month(v, $year4, $year2, $dmy4, $dmy2) is null) as dmy,
    count(*) filter (where date_excel(v, $serial, $zoned) is null) as excel,
    first(v order by rowid) filter (
        where date_day_month(v, $year4, $year2, $mdy4, $mdy2)
            is distinct from date_day_month(v, $year4, $year2, $dmy4, $dmy2)
    ) as example
from (select rowid, nullif(trim({column}), '') as v from import_raw)
where v is not null
