-- deal_actuals.sql for several quarters in one scan of the deals: the lists $starts_on and
-- $so_far_before hold one entry per quarter; each row carries its quarter's starts_on.
with quarters as (
    select
        unnest($starts_on::date[]) as starts_on,
        unnest($so_far_before::date[]) as so_far_before
)

select
    quarters.starts_on,
    deals.region,
    deals.segment,
    grouping(deals.region) = 1 as all_regions,
    grouping(deals.segment) = 1 as all_segments,
    coalesce(sum(deals.amount) filter (
        where deals.status = 'won' and deals.close_date >= quarters.starts_on
            and deals.close_date < quarters.so_far_before
    ), 0) as closed_won,
    count(*) filter (
        where deals.status = 'won' and deals.close_date >= quarters.starts_on
            and deals.close_date < quarters.so_far_before
    ) as won_deals,
    count(*) filter (
        where deals.status = 'lost' and deals.close_date >= quarters.starts_on
            and deals.close_date < quarters.so_far_before
    ) as lost_deals,
    -- Won plus lost: the pipeline decided in the quarter (the planner's pipeline needed).
    coalesce(sum(deals.amount) filter (
        where deals.status in ('won', 'lost') and deals.close_date >= quarters.starts_on
            and deals.close_date < quarters.so_far_before
    ), 0) as pipeline_closed,
    -- Lost deals count as pipeline created; open deals marked omitted do not.
    coalesce(sum(deals.amount) filter (
        where deals.created_at >= quarters.starts_on
            and deals.created_at < quarters.so_far_before
            and not (deals.status = 'open' and deals.forecast_category = 'omitted')
    ), 0) as pipeline_created
from quarters
join deals
    on (deals.close_date >= quarters.starts_on and deals.close_date < quarters.so_far_before)
    or (deals.created_at >= quarters.starts_on and deals.created_at < quarters.so_far_before)
group by grouping sets (
    (quarters.starts_on),
    (quarters.starts_on, deals.region),
    (quarters.starts_on, deals.segment),
    (quarters.starts_on, deals.region, deals.segment)
)
