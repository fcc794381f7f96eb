-- The first day the store has activity on, and whether it holds anything at all. The big
-- tables' first days and counts come from the summaries kept with them (store_span,
-- store_holdings), so that no page header scans every lead. The small tables are counted in
-- one union rather than a scalar subquery each: DuckDB's join ordering over nine one-row
-- relations took 30-160 ms, longer than every count.
select
    least(span.first_deal_day, small.first_campaign_day, span.first_lead_day) as first_day,
    held.deals,
    held.leads,
    held.campaigns,
    small.goals,
    small.people,
    small.forecast_submissions
from store_span as span, store_holdings as held, (
    select
        min(first_campaign_day) as first_campaign_day,
        sum(goals)::bigint as goals,
        sum(people)::bigint as people,
        sum(forecast_submissions)::bigint as forecast_submissions
    from (
        select min(start_date) as first_campaign_day, 0 as goals, 0 as people,
            0 as forecast_submissions
        from campaigns
        union all
        select null, count(*), 0, 0 from goals
        union all
        select null, 0, count(*), 0 from people
        union all
        select null, 0, 0, count(*) from forecast_submissions
    )
) as small
