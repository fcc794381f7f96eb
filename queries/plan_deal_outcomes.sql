-- Deals closed in the look-back window: how many were won and lost, and what the won ones
-- were worth. Gives the win rate and the average deal size the plan works back with.
select
    count(*) filter (where status = 'won') as won_deals,
    count(*) filter (where status = 'lost') as lost_deals,
    coalesce(sum(amount) filter (where status = 'won'), 0) as won_amount
from deals
where status in ('won', 'lost')
    and close_date >= $starts_on
    and close_date < $ends_before
    and ($region is null or region = $region)
    and ($segment is null or segment = $segment)
