-- Each snapshot is a quarter as it stood at a moment, by owner, breakdown and state:
-- 'open', its open pipeline (open, not omitted, due in the quarter) by forecast category,
-- with how much of that pipeline was won within the quarter as we know it now; 'won', what
-- had been won with a close date in the quarter up to the moment.
-- The lists $snapshot, $at, $starts_on and $ends_before hold one entry per snapshot.
-- States are read from deal_states (a summary of deal_timeline), only those due in the
-- quarters asked about.
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
        deal_states.*
    from snapshots
    join deal_states
        on deal_states.close_date >= snapshots.starts_on
        and deal_states.close_date < snapshots.ends_before
        and deal_states.valid_from < snapshots.at
        and deal_states.valid_until >= snapshots.at
    where deal_states.close_date >= (select min(starts_on) from snapshots)
        and deal_states.close_date < (select max(ends_before) from snapshots)
        and (in_open_pipeline(
            deal_states.status, deal_states.forecast_category, deal_states.close_date,
            snapshots.starts_on, snapshots.ends_before
        )
        or (
            deal_states.status = 'won'
            and deal_states.close_date < least(snapshots.ends_before, snapshots.at::date)
        ))
)

select
    snapshot,
    status,
    owner_id,
    region,
    segment,
    forecast_category,
    count(*) as deals,
    sum(amount) as amount,
    coalesce(sum(won_amount) filter (
        where won_on >= starts_on and won_on < ends_before
    ), 0) as won_in_quarter
from states_then
group by all
