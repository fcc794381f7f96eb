-- Leads of the period (any stage date in it) whose dates contradict each other or their
-- stage: counted and shown, never dropped. Read from the lead_quality summary, which holds
-- every lead with one of these flags set (migration 0024).
select
    count(*) filter (where sal_before_mql) as sal_before_mql,
    count(*) filter (where sql_before_sal) as sql_before_sal,
    count(*) filter (where touch_before_mql) as touch_before_mql,
    count(*) filter (where missing_timestamps) as missing_timestamps,
    count(*) filter (where moved_on_untouched) as moved_on_untouched
from lead_quality
where ($region is null or region = $region)
    and ($segment is null or segment = $segment)
    and (
        (mql_at >= $starts_on and mql_at < $ends_before)
        or (sal_at >= $starts_on and sal_at < $ends_before)
        or (sql_at >= $starts_on and sql_at < $ends_before)
        or (mql_at is null and created_at >= $starts_on and created_at < $ends_before)
    )
