-- The closed-won of several quarters for one breakdown (deal_actuals.sql's closed_won, read
-- for all of them in one range join of the won deals): the lists $starts_on and
-- $so_far_before hold one entry per quarter; a quarter that won nothing has no row.
with quarters as (
    select
        unnest($starts_on::date[]) as starts_on,
        unnest($so_far_before::date[]) as so_far_before
)

select
    quarters.starts_on,
    coalesce(sum(deals.amount), 0) as closed_won
from quarters
join deals
    on deals.close_date >= quarters.starts_on
    and deals.close_date < quarters.so_far_before
where deals.status = 'won'
    and ($region is null or deals.region = $region)
    and ($segment is null or deals.segment = $segment)
group by quarters.starts_on
