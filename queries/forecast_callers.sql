-- Who can call a quarter: everyone who owns deals or has called before, and their managers
-- (a manager's call is their team's).
with callers as (
    select owner_id as person_id
    from deals
    union
    select person_id
    from forecast_submissions
)

select
    people.person_id,
    people.name,
    people.email,
    people.person_id in (
        select manager_id
        from people
        where manager_id is not null
    ) as is_manager
from people
where people.person_id in (select person_id from callers)
    or people.person_id in (
        select manager_id
        from people
        where person_id in (select person_id from callers)
    )
order by people.name
