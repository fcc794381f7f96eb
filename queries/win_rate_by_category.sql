-- Historical win rate of each open forecast category: of the deals that closed in the
-- look-back window and were in that category at some point while open, the share won.
-- The category a deal had before it closed is only in deal_history: a closed deal's own
-- row says 'closed' or 'omitted'.
with closed_deals as (
    select
        deal_id,
        status
    from deals
    where status in ('won', 'lost')
        and close_date >= $starts_on
        and close_date < $ends_before
        and ($region is null or region = $region)
        and ($segment is null or segment = $segment)
),

categories_held as (
    select distinct
        deal_id,
        forecast_category
    from deal_history
    where status = 'open'
        and forecast_category in ('pipeline', 'best_case', 'commit')
        and deal_id in (select deal_id from closed_deals)
)

select
    categories_held.forecast_category,
    count(*) filter (where closed_deals.status = 'won') as won,
    count(*) as closed
from categories_held
join closed_deals using (deal_id)
group by categories_held.forecast_category
