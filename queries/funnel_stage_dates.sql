-- Which stage dates the leads record at all: a step into a stage no lead has a date for
-- can't be measured (its rate is unknown, not 0%).
select
    count(created_at) as inquiries,
    count(mql_at) as mqls,
    count(sal_at) as sals,
    count(sql_at) as sqls
from leads
