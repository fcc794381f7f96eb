-- The campaign furthest short of its expected leads in [$starts_on, $ends_on]: leads expected
-- (expected_lead_days: each campaign's expected_leads spread evenly over its days, as the
-- calendar counts them) less the leads that arrived from it in the range. Largest shortfall
-- first, ties by name; campaigns that met or beat their expectation are left out.
with expected as (
    select
        campaign_id,
        sum(leads_per_day) as expected_leads
    from expected_lead_days($starts_on, $ends_on)
    group by campaign_id
),

arrived as (
    select
        campaign_id,
        count(*) as leads
    from leads
    where campaign_id is not null
        and created_at >= $starts_on
        and created_at < $ends_on::date + 1
    group by campaign_id
)

select
    campaigns.name,
    expected.expected_leads,
    coalesce(arrived.leads, 0) as leads,
    expected.expected_leads - coalesce(arrived.leads, 0) as shortfall
from expected
inner join campaigns on campaigns.campaign_id = expected.campaign_id
left join arrived on arrived.campaign_id = expected.campaign_id
where expected.expected_leads - coalesce(arrived.leads, 0) > 0
order by shortfall desc, campaigns.name
limit 1
