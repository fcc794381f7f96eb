-- The owners an import did not find become people, once each: placeholders, until a people
-- import merges them into the real person.
insert into people_placeholders
select distinct person_id
from import_people
where is_new
    and person_id not in (select person_id from people);

insert into people (person_id, name, email, team)
select
    person_id,
    min(new_name) as name,
    min(new_email) as email,
    min(new_team) as team
from import_people
where is_new
    and person_id not in (select person_id from people)
group by person_id
order by person_id
