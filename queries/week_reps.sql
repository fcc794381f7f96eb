-- The sales people a week can be shown for: everyone in sales who owns leads or deals or has
-- made a forecast call, in the region and segment chosen (a person with none covers all).
select
    people.person_id,
    people.name,
    people.email,
    people.region,
    people.segment,
    people.manager_id,
    people.person_id in (
        select manager_id from people where manager_id is not null
    ) as is_manager
from people
where people.team = 'sales'
    and (people.person_id in (select owner_id from leads where owner_id is not null)
        or people.person_id in (select owner_id from deals where owner_id is not null)
        or people.person_id in (select person_id from forecast_submissions)
        or people.person_id in (select manager_id from people where manager_id is not null))
    and ($region is null or people.region is null or people.region = $region)
    and ($segment is null or people.segment is null or people.segment = $segment)
order by people.name, people.person_id
