-- The marketing-sourced part of pipeline created and of closed-won revenue in the quarter:
-- deals whose lead came from a campaign. Same conditions as deal_actuals.
with sourced_deals as (
    select
        deals.amount,
        deals.status,
        deals.forecast_category,
        deals.created_at,
        deals.close_date
    from deals
    join leads on leads.lead_id = deals.lead_id
    where leads.campaign_id is not null
        and ($region is null or deals.region = $region)
        and ($segment is null or deals.segment = $segment)
        and (
            (deals.created_at >= $starts_on and deals.created_at < $ends_before)
            or (deals.close_date >= $starts_on and deals.close_date < $ends_before)
        )
)

select
    coalesce(sum(amount) filter (
        where created_at >= $starts_on and created_at < $ends_before
            and not (status = 'open' and forecast_category = 'omitted')
    ), 0) as marketing_pipeline,
    coalesce(sum(amount) filter (
        where status = 'won' and close_date >= $starts_on and close_date < $ends_before
    ), 0) as marketing_revenue
from sourced_deals
