-- Everyone, with their manager, whether they manage anyone (their call is their team's)
-- and whether they have a quarter to call: they own deals or have called before, or manage
-- someone who does.
with managers as (
    select distinct manager_id as person_id
    from people
    where manager_id is not null
),

own_book as (
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
    people.team,
    people.title,
    people.region,
    people.segment,
    people.manager_id,
    manager.name as manager_name,
    people.person_id in (select person_id from managers) as is_manager,
    people.person_id in (select person_id from own_book)
        or people.person_id in (
            select manager_id
            from people
            where person_id in (select person_id from own_book)
        ) as is_caller
from people
left join people as manager on manager.person_id = people.manager_id
order by people.name
