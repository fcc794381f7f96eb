-- The first day the store has activity on, and whether it holds anything at all.
select
    least(
        (select min(created_at)::date from deals),
        (select min(start_date) from campaigns),
        (select min(created_at)::date from leads)
    ) as first_day,
    (select count(*) from deals) as deals,
    (select count(*) from leads) as leads,
    (select count(*) from campaigns) as campaigns,
    (select count(*) from goals) as goals,
    (select count(*) from people) as people,
    (select count(*) from forecast_submissions) as forecast_submissions
