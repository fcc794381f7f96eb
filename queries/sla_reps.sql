-- The people who own MQLs, for the rep filter of the speed-to-lead page.
select distinct
    people.person_id,
    people.name
from people
where people.person_id in (select owner_id from leads where mql_at is not null)
order by people.name
