-- Leads the given campaigns (not cancelled) are expected to bring per week (weeks start on
-- Monday) between $starts_on and $ends_on: each campaign's expected_leads spread evenly
-- over its days.
with scoped as (
    select
        start_date,
        end_date,
        expected_leads / (datediff('day', start_date, end_date) + 1) as leads_per_day
    from campaigns
    where campaign_id in (select unnest($campaign_ids::varchar[]))
        and status <> 'cancelled'
        and expected_leads is not null
),

days as (
    select
        leads_per_day,
        unnest(generate_series(
            greatest(start_date, $starts_on::date),
            least(end_date, $ends_on::date),
            interval 1 day
        )) as day
    from scoped
)

select
    date_trunc('week', day)::date as week,
    sum(leads_per_day) as expected_leads
from days
group by week
order by week
