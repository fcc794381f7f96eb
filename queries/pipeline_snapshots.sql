-- Each snapshot is a quarter's open pipeline as it stood at a moment: the open deals (not
-- omitted) whose close date then fell in the quarter, by owner, breakdown and forecast
-- category, with how much of that pipeline was won within the quarter, as we know it now.
-- The lists $snapshot, $at, $starts_on and $ends_before hold one entry per snapshot.
with snapshots as (
    select
        unnest($snapshot::varchar[]) as snapshot,
        unnest($at::timestamp[]) as at,
        unnest($starts_on::date[]) as starts_on,
        unnest($ends_before::date[]) as ends_before
),

open_then as (
    select
        snapshots.snapshot,
        snapshots.starts_on,
        snapshots.ends_before,
        deal_timeline.deal_id,
        deal_timeline.amount,
        deal_timeline.forecast_category
    from snapshots
    join deal_timeline
        on deal_timeline.valid_from < snapshots.at
        and coalesce(deal_timeline.valid_until, 'infinity'::timestamp) >= snapshots.at
    where deal_timeline.status = 'open'
        and deal_timeline.forecast_category <> 'omitted'
        and deal_timeline.close_date >= snapshots.starts_on
        and deal_timeline.close_date < snapshots.ends_before
)

select
    open_then.snapshot,
    deals.owner_id,
    deals.region,
    deals.segment,
    open_then.forecast_category,
    count(*) as deals,
    sum(open_then.amount) as open_amount,
    coalesce(sum(deals.amount) filter (
        where deals.status = 'won'
            and deals.close_date >= open_then.starts_on
            and deals.close_date < open_then.ends_before
    ), 0) as won_in_quarter
from open_then
join deals using (deal_id)
group by all
