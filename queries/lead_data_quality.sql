-- Leads whose timestamps contradict each other or their stage, among the leads that reached
-- MQL in the quarter: counted and shown, never dropped.
select
    count(*) filter (where sal_at < mql_at) as sal_before_mql,
    count(*) filter (where sql_at < sal_at) as sql_before_sal,
    count(*) filter (where first_touch_at < mql_at) as touch_before_mql,
    count(*) filter (
        where (stage in ('sal', 'sql', 'opportunity') and sal_at is null)
            or (stage in ('sql', 'opportunity') and sql_at is null)
    ) as missing_timestamps
from leads
where mql_at >= $starts_on
    and mql_at < $ends_before
    and ($region is null or region = $region)
    and ($segment is null or segment = $segment)
