-- The deal figures of one quarter for every breakdown at once: company-wide, per region,
-- per segment, per region and segment (grouping sets). A goal or a filtered page picks
-- its row; so every page counts revenue, pipeline and win rate the same way.
-- What has happened (closed, created) counts up to $so_far_before, the day after the
-- as-of date (or the quarter's end). Open pipeline, as it stood at any moment, is in
-- pipeline_snapshots.
select
    region,
    segment,
    grouping(region) = 1 as all_regions,
    grouping(segment) = 1 as all_segments,
    coalesce(sum(amount) filter (
        where status = 'won' and close_date >= $starts_on and close_date < $so_far_before
    ), 0) as closed_won,
    count(*) filter (
        where status = 'won' and close_date >= $starts_on and close_date < $so_far_before
    ) as won_deals,
    count(*) filter (
        where status = 'lost' and close_date >= $starts_on and close_date < $so_far_before
    ) as lost_deals,
    -- Won plus lost: the pipeline decided in the quarter (the planner's pipeline needed).
    coalesce(sum(amount) filter (
        where status in ('won', 'lost') and close_date >= $starts_on
            and close_date < $so_far_before
    ), 0) as pipeline_closed,
    -- Lost deals count as pipeline created; open deals marked omitted do not.
    coalesce(sum(amount) filter (
        where created_at >= $starts_on and created_at < $so_far_before
            and not (status = 'open' and forecast_category = 'omitted')
    ), 0) as pipeline_created
from deals
where (close_date >= $starts_on and close_date < $so_far_before)
    or (created_at >= $starts_on and created_at < $so_far_before)
group by grouping sets ((), (region), (segment), (region, segment))
