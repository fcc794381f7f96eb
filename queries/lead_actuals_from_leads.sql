-- MQLs, SALs and SQLs of one quarter (leads whose mql_at / sal_at / sql_at falls in it) for
-- every breakdown at once, like deal_actuals: their definition on every lead row, which
-- lead_actuals.sql (what the pages read) sums from funnel_months; the tests hold the two equal.
select
    region,
    segment,
    grouping(region) = 1 as all_regions,
    grouping(segment) = 1 as all_segments,
    count(*) filter (where mql_at >= $starts_on and mql_at < $so_far_before) as mqls,
    count(*) filter (where sal_at >= $starts_on and sal_at < $so_far_before) as sals,
    count(*) filter (where sql_at >= $starts_on and sql_at < $so_far_before) as sqls
from leads
where (mql_at >= $starts_on and mql_at < $so_far_before)
    or (sal_at >= $starts_on and sal_at < $so_far_before)
    or (sql_at >= $starts_on and sql_at < $so_far_before)
group by grouping sets ((), (region), (segment), (region, segment))
