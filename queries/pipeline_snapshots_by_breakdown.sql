-- pipeline_snapshots.sql summed over owners (owner_id null), read from the pipeline_deltas
-- summary: each snapshot is the sum of its quarter's deltas on days up to the moment (a
-- moment is always the start of a day). The lists $snapshot, $at, $starts_on and
-- $ends_before hold one entry per snapshot; quarters start on the first of a month.
with snapshots as (
    select
        unnest($snapshot::varchar[]) as snapshot,
        unnest($at::timestamp[]) as at,
        unnest($starts_on::date[]) as starts_on,
        unnest($ends_before::date[]) as ends_before
)

select
    snapshots.snapshot,
    pipeline_deltas.status,
    null::varchar as owner_id,
    pipeline_deltas.region,
    pipeline_deltas.segment,
    pipeline_deltas.forecast_category,
    sum(pipeline_deltas.deals)::bigint as deals,
    sum(pipeline_deltas.amount) as amount,
    coalesce(sum(pipeline_deltas.won_amount) filter (
        where pipeline_deltas.won_month >= snapshots.starts_on
            and pipeline_deltas.won_month < snapshots.ends_before
    ), 0) as won_in_quarter
from snapshots
join pipeline_deltas
    on pipeline_deltas.close_month >= snapshots.starts_on
    and pipeline_deltas.close_month < snapshots.ends_before
    and pipeline_deltas.day <= snapshots.at::date
where pipeline_deltas.close_month >= (select min(starts_on) from snapshots)
    and pipeline_deltas.close_month < (select max(ends_before) from snapshots)
group by all
having sum(pipeline_deltas.deals) <> 0
