-- The deals behind the overview's and forecast's closed-won and open pipeline: each deal as
-- recorded at $at (the end of the as-of day), read from deal_states with the same tests as
-- pipeline_snapshots.sql: $state 'won' = won with a close date in the quarter before $at;
-- 'open' = in the quarter's open pipeline (in_open_pipeline). record_count and record_total
-- are over every matching deal, before the $row_limit cap.
select
    deals.deal_id,
    deals.account,
    coalesce(people.name, states.owner_id) as owner,
    states.amount,
    states.status,
    states.forecast_category,
    deals.created_at::date as created_on,
    states.close_date,
    states.region,
    states.segment,
    count(*) over () as record_count,
    sum(states.amount) over () as record_total
from deal_states as states
join deals using (deal_id)
left join people on people.person_id = states.owner_id
where states.close_date >= $starts_on
    and states.close_date < $ends_before
    and states.valid_from < $at
    and states.valid_until >= $at
    and ($region is null or states.region = $region)
    and ($segment is null or states.segment = $segment)
    and case $state
        when 'open' then in_open_pipeline(
            states.status, states.forecast_category, states.close_date, $starts_on, $ends_before
        )
        else states.status = 'won' and states.close_date < least($ends_before, $at::date)
    end
order by states.amount desc, deals.deal_id
limit $row_limit
