-- The sales people a week can be shown for: everyone in sales who owns leads or deals or has
-- made a forecast call, in the region and segment chosen (a person with none covers all).
with managers as (
    select distinct manager_id as person_id
    from people
    where manager_id is not null
),

active as (
    -- Each owner once, gathered before meeting people (lead_owners: the summary of the
    -- leads' owners).
    select owner_id as person_id from lead_owners
    union
    select distinct owner_id from deals where owner_id is not null
    union
    select distinct person_id from forecast_submissions
    union
    select person_id from managers
)

select
    people.person_id,
    people.name,
    people.email,
    people.region,
    people.segment,
    people.manager_id,
    people.person_id in (select person_id from managers) as is_manager
from people
where people.team = 'sales'
    and people.person_id in (select person_id from active)
    and ($region is null or people.region is null or people.region = $region)
    and ($segment is null or people.segment is null or people.segment = $segment)
order by people.name, people.person_id
