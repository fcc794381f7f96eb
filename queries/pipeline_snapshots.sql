-- Each snapshot is a quarter as it stood at a moment, by owner, breakdown and state:
-- 'open', its open pipeline (open, not omitted, due in the quarter) by forecast category,
-- with how much of that pipeline was won within the quarter as we know it now; 'won', what
-- had been won with a close date in the quarter up to the moment.
-- The lists $snapshot, $at, $starts_on and $ends_before hold one entry per snapshot.
with snapshots as (
    select
        unnest($snapshot::varchar[]) as snapshot,
        unnest($at::timestamp[]) as at,
        unnest($starts_on::date[]) as starts_on,
        unnest($ends_before::date[]) as ends_before
),

states_then as (
    select
        snapshots.snapshot,
        snapshots.starts_on,
        snapshots.ends_before,
        deal_timeline.deal_id,
        deal_timeline.status,
        deal_timeline.amount,
        deal_timeline.forecast_category
    from snapshots
    join deal_timeline
        on deal_timeline.valid_from < snapshots.at
        and coalesce(deal_timeline.valid_until, 'infinity'::timestamp) >= snapshots.at
    where in_open_pipeline(
            deal_timeline.status, deal_timeline.forecast_category, deal_timeline.close_date,
            snapshots.starts_on, snapshots.ends_before
        )
        or (
            deal_timeline.status = 'won'
            and deal_timeline.close_date >= snapshots.starts_on
            and deal_timeline.close_date < least(snapshots.ends_before, snapshots.at::date)
        )
)

select
    states_then.snapshot,
    states_then.status,
    deals.owner_id,
    deals.region,
    deals.segment,
    states_then.forecast_category,
    count(*) as deals,
    sum(states_then.amount) as amount,
    coalesce(sum(deals.amount) filter (
        where deals.status = 'won'
            and deals.close_date >= states_then.starts_on
            and deals.close_date < states_then.ends_before
    ), 0) as won_in_quarter
from states_then
join deals using (deal_id)
group by all
