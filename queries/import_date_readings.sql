-- The two readings of a value ($v) both D/M/Y and M/D/Y read: to show the user why the
-- column's format is asked for.
select
    date_day_month($v, $year4, $year2, $dmy4, $dmy2) as as_dmy,
    date_day_month($v, $year4, $year2, $mdy4, $mdy2) as as_mdy
