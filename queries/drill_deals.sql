-- The deals behind the quarter's deal figures as the deals stand now (deal_actuals.sql, the
-- same filters): $which 'won' = won with a close date in the quarter so far (closed-won
-- revenue of goals and the trend); 'closed' = won or lost so (win rate: won ÷ these);
-- 'created' = created in the quarter so far, open deals marked omitted left out (pipeline
-- created). The $row_limit largest; record_count and record_total are over them all.
with chosen as (
    select *
    from deals
    where ($region is null or region = $region)
        and ($segment is null or segment = $segment)
        and case $which
            when 'won' then status = 'won'
                and close_date >= $starts_on and close_date < $so_far_before
            when 'closed' then status in ('won', 'lost')
                and close_date >= $starts_on and close_date < $so_far_before
            else created_at >= $starts_on and created_at < $so_far_before
                and not (status = 'open' and forecast_category = 'omitted')
        end
),

first_rows as (
    select *
    from chosen
    order by amount desc, deal_id
    limit $row_limit
)

select
    first_rows.deal_id,
    first_rows.account,
    coalesce(people.name, first_rows.owner_id) as owner,
    first_rows.amount,
    first_rows.status,
    first_rows.forecast_category,
    first_rows.created_at::date as created_on,
    first_rows.close_date,
    first_rows.region,
    first_rows.segment,
    (select count(*) from chosen) as record_count,
    (select sum(amount) from chosen) as record_total
from first_rows
left join people on people.person_id = first_rows.owner_id
order by first_rows.amount desc, first_rows.deal_id
