-- What moved a quarter's open pipeline between two moments, deal by deal. A deal is in the
-- pipeline when it is open, not omitted and due in the quarter ([$starts_on, $ends_before)).
-- Each deal gets one movement, and its pipeline change (amount in the pipeline at $to_at minus
-- amount at $from_at) sums over all deals to pipeline(to) - pipeline(from), so the movements
-- reconcile. Deals that entered and closed between the moments change nothing but are listed.
with moments as (
    select 'from' as side, $from_at::timestamp as at
    union all
    select 'to' as side, $to_at::timestamp as at
),

states as (
    select
        moments.side,
        deal_states.deal_id,
        deal_states.amount,
        deal_states.status,
        deal_states.close_date,
        in_open_pipeline(
            deal_states.status, deal_states.forecast_category, deal_states.close_date,
            $starts_on, $ends_before
        ) as in_pipeline
    from moments
    join deal_states
        on deal_states.valid_from < moments.at
        and deal_states.valid_until >= moments.at
),

compared as (
    select
        deal_id,
        any_value(amount) filter (where side = 'from') as amount_from,
        any_value(status) filter (where side = 'from') as status_from,
        any_value(close_date) filter (where side = 'from') as close_from,
        any_value(amount) filter (where side = 'to') as amount_to,
        any_value(status) filter (where side = 'to') as status_to,
        any_value(close_date) filter (where side = 'to') as close_to,
        coalesce(bool_or(in_pipeline) filter (where side = 'from'), false) as in_from,
        coalesce(bool_or(in_pipeline) filter (where side = 'to'), false) as in_to
    from states
    group by deal_id
),

moved as (
    select
        *,
        case
            when in_from and in_to then
                case
                    when amount_to > amount_from then 'amount_up'
                    when amount_to < amount_from then 'amount_down'
                    else 'unchanged'
                end
            when in_to then
                case
                    when status_from is null then 'added'
                    when status_from <> 'open' then 'reopened'
                    when close_from >= $ends_before then 'pulled_in'
                    when close_from < $starts_on then 'slipped_in'
                    else 'restored'
                end
            when in_from then
                case
                    when status_to = 'won' then 'won'
                    when status_to = 'lost' then 'lost'
                    when close_to >= $ends_before then 'slipped'
                    when close_to < $starts_on then 'pulled_earlier'
                    else 'omitted'
                end
            when status_to = 'won' then 'won_unforecast'
            else 'lost_unforecast'
        end as movement,
        (case when in_to then amount_to else 0 end)
            - (case when in_from then amount_from else 0 end) as pipeline_change
    from compared
    where in_from
        or in_to
        -- closed in the quarter between the moments without being in the pipeline at either
        or (
            status_to in ('won', 'lost')
            and status_from is distinct from status_to
            and close_to >= $starts_on
            and close_to < $ends_before
        )
)

select
    moved.movement,
    moved.deal_id,
    deals.account,
    owners.name as owner,
    deals.region,
    deals.segment,
    moved.amount_from,
    moved.amount_to,
    moved.close_from,
    moved.close_to,
    moved.pipeline_change,
    moved.in_from,
    moved.in_to
from moved
join deals using (deal_id)
left join people as owners on owners.person_id = deals.owner_id
where ($region is null or deals.region = $region)
    and ($segment is null or deals.segment = $segment)
order by abs(moved.pipeline_change) desc, moved.deal_id
