-- The first and last day the store has activity on, and whether it holds anything at all.
select
    least(
        (select min(created_at)::date from deals),
        (select min(start_date) from campaigns),
        (select min(created_at)::date from leads)
    ) as first_day,
    greatest(
        (select max(close_date) from deals),
        (select max(end_date) from campaigns),
        (select max(created_at)::date from leads)
    ) as last_day,
    (select count(*) from deals) as deals,
    (select count(*) from leads) as leads,
    (select count(*) from campaigns) as campaigns,
    (select count(*) from goals) as goals
