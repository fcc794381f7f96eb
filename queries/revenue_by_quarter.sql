-- Closed-won revenue and open pipeline per quarter, for a list of (label, start, end) quarters.
with quarters as (
    select
        unnest($labels) as quarter,
        unnest($starts)::date as starts_on,
        unnest($ends)::date as ends_before
),

scoped_deals as (
    select
        amount,
        status,
        forecast_category,
        close_date
    from deals
    where ($region is null or region = $region)
        and ($segment is null or segment = $segment)
        and close_date >= (select min(starts_on) from quarters)
        and close_date < (select max(ends_before) from quarters)
)

select
    quarters.quarter,
    coalesce(sum(scoped_deals.amount) filter (where scoped_deals.status = 'won'), 0)
        as closed_won,
    -- Omitted deals are open but out of the forecast by the rep's own call.
    coalesce(sum(scoped_deals.amount) filter (
        where scoped_deals.status = 'open' and scoped_deals.forecast_category <> 'omitted'
    ), 0) as open_pipeline
from quarters
left join scoped_deals
    on scoped_deals.close_date >= quarters.starts_on
    and scoped_deals.close_date < quarters.ends_before
group by quarters.quarter
