-- The first day the store has activity on, and whether it holds anything at all. The big
-- tables' first days and counts come from the summaries kept with them (store_span,
-- store_holdings), so that no page header scans every lead.
select
    least(
        (select first_deal_day from store_span),
        (select min(start_date) from campaigns),
        (select first_lead_day from store_span)
    ) as first_day,
    (select deals from store_holdings) as deals,
    (select leads from store_holdings) as leads,
    (select campaigns from store_holdings) as campaigns,
    (select count(*) from goals) as goals,
    (select count(*) from people) as people,
    (select count(*) from forecast_submissions) as forecast_submissions
