-- Summary: the open pipeline and what was won as day-grain deltas, so that a quarter as it
-- stood at a moment is a sum over a few hundred thousand rows rather than a range join of
-- every deal state with every moment asked about.
--
-- A snapshot at the start of day D counts a deal state when it began before D and had not
-- ended before D (valid_from < D, valid_until >= D: pipeline_snapshots.sql), that is from day
-- valid_from::date + 1 to day valid_until::date, both included; a won state, besides, only
-- from the day after its close date (won before the moment). Each state adds itself on the
-- first day it counts and takes itself back on the day after the last, so a quarter at day D
-- is the sum of its deltas on days up to D. Keyed by the close month (not the quarter: the
-- fiscal year's first month is a setting) and by the month of the deal's win as recorded now
-- (what the quarter finally won of it). Summed over owners: the pages read owners only at the
-- few moments their rep tables show, from deal_states.
create or replace view pipeline_deltas_live as
with spans as (
    select
        date_trunc('month', close_date)::date as close_month,
        status,
        region,
        segment,
        forecast_category,
        date_trunc('month', won_on)::date as won_month,
        amount,
        won_amount,
        case
            when status = 'won' then greatest(valid_from::date, close_date)
            else valid_from::date
        end + 1 as counts_from,
        case when not isinf(valid_until) then valid_until::date + 1 end as counts_before
    from deal_states
    where (status = 'open' and forecast_category <> 'omitted') or status = 'won'
),

deltas as (
    select
        close_month, counts_from as day, status, region, segment, forecast_category,
        won_month, 1 as deals, amount, won_amount
    from spans
    where counts_before is null or counts_from < counts_before
    union all
    select
        close_month, counts_before, status, region, segment, forecast_category, won_month,
        -1, -amount, -won_amount
    from spans
    where counts_from < counts_before
)

select
    close_month,
    day,
    status,
    region,
    segment,
    forecast_category,
    won_month,
    sum(deals)::integer as deals,
    sum(amount) as amount,
    sum(won_amount) as won_amount
from deltas
group by all;

create or replace table pipeline_deltas as
select * from pipeline_deltas_live
order by close_month, day;
