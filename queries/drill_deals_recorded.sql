-- The deals behind the overview's and forecast's closed-won and open pipeline: each deal as
-- recorded at $at (the end of the as-of day), read from deal_states with the same tests as
-- pipeline_snapshots.sql: $state 'won' = won with a close date in the quarter before $at;
-- 'open' = in the quarter's open pipeline (in_open_pipeline). $owners, if set, keeps the
-- deals those people owned then (a row of the forecast's by-rep table). The $row_limit
-- largest; record_count and record_total are over them all.
with chosen as (
    select
        deal_id,
        owner_id,
        amount,
        status,
        forecast_category,
        close_date,
        region,
        segment
    from deal_states
    where close_date >= $starts_on
        and close_date < $ends_before
        and valid_from < $at
        and valid_until >= $at
        and ($region is null or region = $region)
        and ($segment is null or segment = $segment)
        and ($owners is null or list_contains($owners::varchar[], owner_id))
        and case $state
            when 'open' then in_open_pipeline(
                status, forecast_category, close_date, $starts_on, $ends_before
            )
            else status = 'won' and close_date < least($ends_before, $at::date)
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
    deals.account,
    coalesce(people.name, first_rows.owner_id) as owner,
    first_rows.amount,
    first_rows.status,
    first_rows.forecast_category,
    deals.created_at::date as created_on,
    first_rows.close_date,
    first_rows.region,
    first_rows.segment,
    (select count(*) from chosen) as record_count,
    (select sum(amount) from chosen) as record_total
from first_rows
join deals using (deal_id)
left join people on people.person_id = first_rows.owner_id
order by first_rows.amount desc, first_rows.deal_id
