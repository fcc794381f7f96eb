-- The deals behind the quarter's deal figures as the deals stand now (deal_actuals.sql, the
-- same filters): $which 'won' = won with a close date in the quarter so far (closed-won
-- revenue of goals and the trend); 'closed' = won or lost so (win rate: won ÷ these);
-- 'created' = created in the quarter so far, open deals marked omitted left out (pipeline
-- created). record_count and record_total are over every matching deal, before the cap.
select
    deals.deal_id,
    deals.account,
    coalesce(people.name, deals.owner_id) as owner,
    deals.amount,
    deals.status,
    deals.forecast_category,
    deals.created_at::date as created_on,
    deals.close_date,
    deals.region,
    deals.segment,
    count(*) over () as record_count,
    sum(deals.amount) over () as record_total
from deals
left join people on people.person_id = deals.owner_id
where ($region is null or deals.region = $region)
    and ($segment is null or deals.segment = $segment)
    and case $which
        when 'won' then deals.status = 'won'
            and deals.close_date >= $starts_on and deals.close_date < $so_far_before
        when 'closed' then deals.status in ('won', 'lost')
            and deals.close_date >= $starts_on and deals.close_date < $so_far_before
        else deals.created_at >= $starts_on and deals.created_at < $so_far_before
            and not (deals.status = 'open' and deals.forecast_category = 'omitted')
    end
order by deals.amount desc, deals.deal_id
limit $row_limit
