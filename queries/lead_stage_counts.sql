-- MQLs, SALs and SQLs of a quarter: leads whose mql_at / sal_at / sql_at falls in it.
select
    count(*) filter (where mql_at >= $starts_on and mql_at < $ends_before) as mqls,
    count(*) filter (where sal_at >= $starts_on and sal_at < $ends_before) as sals,
    count(*) filter (where sql_at >= $starts_on and sql_at < $ends_before) as sqls
from leads
where ($region is null or region = $region)
    and ($segment is null or segment = $segment)
    and (
        (mql_at >= $starts_on and mql_at < $ends_before)
        or (sal_at >= $starts_on and sal_at < $ends_before)
        or (sql_at >= $starts_on and sql_at < $ends_before)
    )
