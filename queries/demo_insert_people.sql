insert into people
select
    person_id,
    name,
    email,
    team,
    title,
    region,
    segment,
    manager_id
from demo_people
