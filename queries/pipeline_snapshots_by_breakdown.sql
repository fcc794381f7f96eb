-- pipeline_snapshots.sql summed over owners (owner_id null), read from the pipeline_deltas
-- summary: each snapshot is the sum of its quarter's deltas on days up to the moment (a
-- moment is always the start of a day). The lists $snapshot, $at, $starts_on and
-- $ends_before hold one entry per snapshot; quarters start on the first of a month.
-- The deltas are summed once per quarter and day, then run up day by day: a snapshot reads,
-- for each breakdown, the running total of the last day up to its moment (many snapshots
-- of one quarter, the weeks' and the look-back's, share one pass over its deltas).
with snapshots as (
    select
        unnest($snapshot::varchar[]) as snapshot,
        unnest($at::timestamp[]) as at,
        unnest($starts_on::date[]) as starts_on,
        unnest($ends_before::date[]) as ends_before
),

quarters as (
    select distinct
        starts_on,
        ends_before
    from snapshots
),

quarter_days as (
    select
        quarters.starts_on,
        pipeline_deltas.day,
        pipeline_deltas.status,
        pipeline_deltas.region,
        pipeline_deltas.segment,
        pipeline_deltas.forecast_category,
        sum(pipeline_deltas.deals) as deals,
        sum(pipeline_deltas.amount) as amount,
        coalesce(sum(pipeline_deltas.won_amount) filter (
            where pipeline_deltas.won_month >= quarters.starts_on
                and pipeline_deltas.won_month < quarters.ends_before
        ), 0) as won_in_quarter
    from quarters
    join pipeline_deltas
        on pipeline_deltas.close_month >= quarters.starts_on
        and pipeline_deltas.close_month < quarters.ends_before
    where pipeline_deltas.close_month >= (select min(starts_on) from snapshots)
        and pipeline_deltas.close_month < (select max(ends_before) from snapshots)
        and pipeline_deltas.day <= (select max(snapshots.at)::date from snapshots)
    group by all
),

running as (
    select
        starts_on,
        day,
        -- The day the breakdown's total changes next (null: not before the last moment).
        lead(day) over breakdown as next_day,
        status,
        region,
        segment,
        forecast_category,
        sum(deals) over breakdown as deals,
        sum(amount) over breakdown as amount,
        sum(won_in_quarter) over breakdown as won_in_quarter
    from quarter_days
    window breakdown as (
        partition by starts_on, status, region, segment, forecast_category order by day
    )
)

select
    snapshots.snapshot,
    running.status,
    null::varchar as owner_id,
    running.region,
    running.segment,
    running.forecast_category,
    running.deals::bigint as deals,
    running.amount,
    running.won_in_quarter
from snapshots
join running
    on running.starts_on = snapshots.starts_on
    and running.day <= snapshots.at::date
    and (running.next_day is null or running.next_day > snapshots.at::date)
where running.deals <> 0
