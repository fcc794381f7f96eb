-- Closed-won revenue of a period by owner, breakdown and close date: the forecast sums it
-- to any day, rep, team or region without another query.
select
    owner_id,
    region,
    segment,
    close_date,
    count(*) as won_deals,
    sum(amount) as closed_won
from deals
where status = 'won'
    and close_date >= $starts_on
    and close_date < $ends_before
group by all
