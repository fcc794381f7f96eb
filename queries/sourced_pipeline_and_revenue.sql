-- Pipeline created and closed-won revenue in the quarter, and the part of each from deals
-- whose lead came from a campaign (marketing-sourced).
with scoped_deals as (
    select
        deals.lead_id,
        deals.amount,
        deals.status,
        deals.forecast_category,
        deals.created_at,
        deals.close_date
    from deals
    where ($region is null or deals.region = $region)
        and ($segment is null or deals.segment = $segment)
        and (
            (deals.created_at >= $starts_on and deals.created_at < $ends_before)
            or (deals.close_date >= $starts_on and deals.close_date < $ends_before)
        )
),

marked as (
    select
        scoped_deals.*,
        leads.campaign_id is not null as from_campaign
    from scoped_deals
    left join leads on leads.lead_id = scoped_deals.lead_id
)

select
    coalesce(sum(amount) filter (where created_at >= $starts_on and created_at < $ends_before
        and not (status = 'open' and forecast_category = 'omitted')), 0) as pipeline_created,
    coalesce(sum(amount) filter (where created_at >= $starts_on and created_at < $ends_before
        and not (status = 'open' and forecast_category = 'omitted') and from_campaign), 0)
        as marketing_pipeline,
    coalesce(sum(amount) filter (where status = 'won'
        and close_date >= $starts_on and close_date < $ends_before), 0) as closed_won,
    coalesce(sum(amount) filter (where status = 'won'
        and close_date >= $starts_on and close_date < $ends_before and from_campaign), 0)
        as marketing_revenue
from marked
