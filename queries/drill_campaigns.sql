-- The campaigns behind the campaign page's counts and costs (campaign_performance.sql's
-- `scoped`, the same filters and the same spread of cost): every campaign scheduled on a day
-- of the quarter and aimed at the breakdown, with its cost in the quarter; $costed_only
-- keeps those with a cost recorded (the quarter's campaign cost sums these).
with scoped as (
    select
        campaign_id,
        name,
        channel,
        status,
        region,
        segment,
        start_date,
        end_date,
        actual_cost,
        actual_cost::double
        * (date_diff('day', greatest(start_date, $starts_on), least(end_date, $ends_before - 1))
            + 1)
        / (date_diff('day', start_date, end_date) + 1) as cost_in_quarter
    from campaigns
    where start_date < $ends_before
        and end_date >= $starts_on
        and ($region is null or region = $region or region is null)
        and ($segment is null or segment = $segment or segment is null)
        and (not $costed_only or actual_cost is not null)
)

select
    *,
    count(*) over () as record_count,
    sum(cost_in_quarter) over () as record_total
from scoped
order by start_date, name
limit $row_limit
