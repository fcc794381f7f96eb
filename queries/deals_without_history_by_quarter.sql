-- For each quarter (its first day in $starts_on, the next quarter's in $ends_before): the
-- breakdown's deals due in it, and how many of them have no recorded history (their past
-- is assumed from their final values: judging a call on them is hindsight).
with quarters as (
    select
        unnest($starts_on::date[]) as starts_on,
        unnest($ends_before::date[]) as ends_before
)

select
    quarters.starts_on,
    count(deals.deal_id) as deals,
    count(deals.deal_id) filter (
        where deals.deal_id not in (select deal_id from deal_history)
    ) as without_history
from quarters
left join deals
    on deals.close_date >= quarters.starts_on
    and deals.close_date < quarters.ends_before
    and ($region is null or deals.region = $region)
    and ($segment is null or deals.segment = $segment)
group by quarters.starts_on
order by quarters.starts_on
