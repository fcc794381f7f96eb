-- Leads of the period (any stage date in it) whose dates contradict each other or their
-- stage: counted and shown, never dropped.
select
    count(*) filter (where sal_at < mql_at) as sal_before_mql,
    count(*) filter (where sql_at < sal_at) as sql_before_sal,
    count(*) filter (where first_touch_at < mql_at) as touch_before_mql,
    count(*) filter (
        where (stage in ('mql', 'sal', 'sql', 'opportunity') and mql_at is null)
            or (stage in ('sal', 'sql', 'opportunity') and sal_at is null)
            or (stage in ('sql', 'opportunity') and sql_at is null)
    ) as missing_timestamps,
    count(*) filter (
        where stage in ('sal', 'sql', 'opportunity') and first_touch_at is null
    ) as moved_on_untouched
from scoped_leads($region, $segment)
where (mql_at >= $starts_on and mql_at < $ends_before)
    or (sal_at >= $starts_on and sal_at < $ends_before)
    or (sql_at >= $starts_on and sql_at < $ends_before)
    or (mql_at is null and created_at >= $starts_on and created_at < $ends_before)
