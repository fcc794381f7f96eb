-- Who may sign for a side in local mode: the people of that team, by name.
select
    person_id,
    name,
    email,
    title
from people
where team = $team
order by name
