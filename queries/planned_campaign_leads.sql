-- Leads the quarter's campaigns are expected to bring: each campaign's expected_leads,
-- spread evenly over its days, counting the days that fall in the quarter.
with overlapping as (
    select
        expected_leads,
        datediff('day', start_date, end_date) + 1 as campaign_days,
        datediff('day', greatest(start_date, $starts_on::date),
                 least(end_date, $ends_before::date - 1)) + 1 as days_in_quarter
    from campaigns
    where status <> 'cancelled'
        and start_date < $ends_before
        and end_date >= $starts_on
        and ($region is null or region = $region)
        and ($segment is null or segment = $segment)
)

select
    count(*) as campaigns,
    coalesce(sum(expected_leads * days_in_quarter / campaign_days), 0) as expected_leads
from overlapping
