-- Everyone who could carry a forecast, with their manager: reps roll up to their
-- manager's team and to their own region.
select
    people.person_id,
    people.name,
    people.email,
    people.team,
    people.title,
    people.region,
    people.segment,
    people.manager_id,
    managers.name as manager_name,
    people.person_id in (
        select manager_id
        from people
        where manager_id is not null
    ) as is_manager
from people
left join people as managers on managers.person_id = people.manager_id
order by people.name
