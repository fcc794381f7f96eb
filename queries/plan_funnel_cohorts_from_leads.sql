-- The definition plan_funnel_cohorts.sql is checked against (tests/test_plan_cohorts.py): the
-- same figures counted on every lead row in the window, without the funnel_months summary.
with scoped as (
    select
        lead_id,
        campaign_id,
        created_at,
        mql_at,
        sal_at,
        sql_at
    from scoped_leads($region, $segment)
    where (created_at >= $starts_on and created_at < $ends_before)
        or (mql_at >= $starts_on and mql_at < $ends_before)
        or (sal_at >= $starts_on and sal_at < $ends_before)
        or (sql_at >= $starts_on and sql_at < $ends_before)
),

with_deal as (
    select
        scoped.*,
        scoped.lead_id in (select lead_id from deals where lead_id is not null) as has_deal
    from scoped
)

select
    count(*) filter (where campaign_id is not null
        and created_at >= $starts_on and created_at < $ends_before) as campaign_inquiries,
    count(*) filter (where campaign_id is not null and mql_at is not null
        and created_at >= $starts_on and created_at < $ends_before) as campaign_inquiries_to_mql,
    count(*) filter (where mql_at >= $starts_on and mql_at < $ends_before) as mqls,
    count(*) filter (where mql_at >= $starts_on and mql_at < $ends_before
        and sal_at is not null) as mqls_to_sal,
    count(*) filter (where sal_at >= $starts_on and sal_at < $ends_before) as sals,
    count(*) filter (where sal_at >= $starts_on and sal_at < $ends_before
        and sql_at is not null) as sals_to_sql,
    count(*) filter (where sql_at >= $starts_on and sql_at < $ends_before) as sqls,
    count(*) filter (where sql_at >= $starts_on and sql_at < $ends_before
        and has_deal) as sqls_to_opportunity,
    count(*) filter (where campaign_id is null
        and mql_at >= $starts_on and mql_at < $ends_before) as other_mqls
from with_deal
