-- The campaigns behind the campaign page's counts and costs: the store's quarter_campaigns,
-- as campaign_performance reads them (the same filters and the same spread of cost);
-- $costed_only keeps those with a cost recorded (the quarter's campaign cost sums these);
-- $channel, if set, keeps one channel's (a row of the page's channel table).
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
        cost_in_quarter
    from quarter_campaigns($starts_on, $ends_before, $produced_before, $region, $segment)
    where (not $costed_only or actual_cost is not null)
        and ($channel is null or channel = $channel)
)

select
    *,
    count(*) over () as record_count,
    sum(cost_in_quarter) over () as record_total
from scoped
order by start_date, name
limit $row_limit
