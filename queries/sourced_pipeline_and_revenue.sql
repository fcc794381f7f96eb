-- The marketing-sourced part of pipeline created and of closed-won revenue in the quarter
-- so far: deals whose lead came from a campaign (the sourced_deals summary). Same conditions
-- as deal_actuals.
select
    coalesce(sum(amount) filter (
        where created_at >= $starts_on and created_at < $so_far_before
            and not (status = 'open' and forecast_category = 'omitted')
    ), 0) as marketing_pipeline,
    coalesce(sum(amount) filter (
        where status = 'won' and close_date >= $starts_on and close_date < $so_far_before
    ), 0) as marketing_revenue
from sourced_deals
where ($region is null or region = $region)
    and ($segment is null or segment = $segment)
    and (
        (created_at >= $starts_on and created_at < $so_far_before)
        or (close_date >= $starts_on and close_date < $so_far_before)
    )
