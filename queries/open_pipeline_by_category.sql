-- Open deals closing in the quarter, by forecast category.
select
    forecast_category,
    count(*) as deals,
    sum(amount) as amount
from deals
where status = 'open'
    and forecast_category <> 'omitted'
    and close_date >= $starts_on
    and close_date < $ends_before
    and ($region is null or region = $region)
    and ($segment is null or segment = $segment)
group by forecast_category
