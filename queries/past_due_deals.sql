-- Deals still open whose close date falls in the quarter (given once it is over: they are
-- past due, not its pipeline), omitted from the forecast or not, for the breakdown.
select
    count(*) as deals,
    coalesce(sum(amount), 0) as amount
from deals
where status = 'open'
    and close_date >= $starts_on
    and close_date < $ends_before
    and ($region is null or region = $region)
    and ($segment is null or segment = $segment)
