-- Stage-to-stage conversion on cohorts (docs/design.md): of the leads that reached a stage in the
-- look-back window, how many reached the next one at any time so far. Every lead row counts
-- (a lead listed twice, twice). The window is whole quarters, so whole months: the stage counts
-- are sums over the funnel_months summary (its events at any time, whatever month they count
-- from), plus the leads it leaves out (listed twice) read from the source tables. Whether a
-- lead came from a campaign is not in that summary: the campaign inquiries and the MQLs from
-- campaigns are sums over campaign_lead_months (every lead row from a campaign, migration 0022).
with summed as (
    select
        coalesce(sum(events) filter (where stage = 'mqls'), 0) as mqls,
        coalesce(sum(events) filter (where stage = 'mqls' and next_month is not null), 0)
            as mqls_to_sal,
        coalesce(sum(events) filter (where stage = 'sals'), 0) as sals,
        coalesce(sum(events) filter (where stage = 'sals' and next_month is not null), 0)
            as sals_to_sql,
        coalesce(sum(events) filter (where stage = 'sqls'), 0) as sqls,
        -- A lead's next month after SQL is its first deal's: it has a deal.
        coalesce(sum(events) filter (where stage = 'sqls' and next_month is not null), 0)
            as sqls_to_opportunity
    from funnel_months
    where stage in ('mqls', 'sals', 'sqls')
        and reached_month >= $starts_on
        and reached_month < $ends_before
        and ($region is null or region = $region)
        and ($segment is null or segment = $segment)
),

-- Starting from the few leads listed twice (and their deals), not from every lead and deal.
listed_twice as (
    select
        count(*) filter (where mql_at >= $starts_on and mql_at < $ends_before) as mqls,
        count(*) filter (where mql_at >= $starts_on and mql_at < $ends_before
            and sal_at is not null) as mqls_to_sal,
        count(*) filter (where sal_at >= $starts_on and sal_at < $ends_before) as sals,
        count(*) filter (where sal_at >= $starts_on and sal_at < $ends_before
            and sql_at is not null) as sals_to_sql,
        count(*) filter (where sql_at >= $starts_on and sql_at < $ends_before) as sqls,
        count(*) filter (where sql_at >= $starts_on and sql_at < $ends_before
            and has_deal) as sqls_to_opportunity
    from (
        select
            leads.*,
            leads.lead_id in (
                select deals.lead_id
                from deals
                join funnel_listed_twice on funnel_listed_twice.lead_id = deals.lead_id
            ) as has_deal
        from funnel_listed_twice
        join scoped_leads($region, $segment) as leads
            on leads.lead_id = funnel_listed_twice.lead_id
    )
),

-- Campaign leads by the month they were created and the month they became MQLs (all rows).
from_campaigns as (
    select
        coalesce(sum(leads) filter (where created_month >= $starts_on
            and created_month < $ends_before), 0) as campaign_inquiries,
        coalesce(sum(mqls) filter (where created_month >= $starts_on
            and created_month < $ends_before), 0) as campaign_inquiries_to_mql,
        coalesce(sum(mqls) filter (where mql_month >= $starts_on
            and mql_month < $ends_before), 0) as campaign_mqls
    from campaign_lead_months
    where ($region is null or region = $region)
        and ($segment is null or segment = $segment)
)

select
    from_campaigns.campaign_inquiries,
    from_campaigns.campaign_inquiries_to_mql,
    summed.mqls + listed_twice.mqls as mqls,
    summed.mqls_to_sal + listed_twice.mqls_to_sal as mqls_to_sal,
    summed.sals + listed_twice.sals as sals,
    summed.sals_to_sql + listed_twice.sals_to_sql as sals_to_sql,
    summed.sqls + listed_twice.sqls as sqls,
    summed.sqls_to_opportunity + listed_twice.sqls_to_opportunity as sqls_to_opportunity,
    -- Every MQL row of the window less those from campaigns.
    summed.mqls + listed_twice.mqls - from_campaigns.campaign_mqls as other_mqls
from summed, listed_twice, from_campaigns
