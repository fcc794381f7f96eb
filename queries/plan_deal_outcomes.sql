-- Deals closed in the look-back window: how many were won and lost, what the won ones were
-- worth, and how many came from a lead. Gives the win rate, the average deal size and the
-- share of deals the lead funnel has to supply.
select
    count(*) filter (where status = 'won') as won_deals,
    count(*) filter (where status = 'lost') as lost_deals,
    count(*) filter (where lead_id is not null) as lead_deals,
    count(*) as closed_deals,
    coalesce(sum(amount) filter (where status = 'won'), 0) as won_amount
from deals
where status in ('won', 'lost')
    and close_date >= $starts_on
    and close_date < $ends_before
    and ($region is null or region = $region)
    and ($segment is null or segment = $segment)
