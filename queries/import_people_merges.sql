-- The placeholders (people an earlier import created for an unknown owner) that the people
-- in this file are: matched by email, else by exact name (case-insensitive, trimmed) when
-- either has no email. A placeholder the file names by its own person_id is not merged: the
-- file's row is it. More than one match is a problem the import reports.
create or replace temp table import_merges as
with placeholders as (
    select
        person_id as placeholder_id,
        name,
        lower(trim(email)) as email_key,
        lower(trim(name)) as name_key
    from people
    where person_id in (select person_id from people_placeholders)
        and person_id not in (select person_id from import_people_in_file)
),

in_file as (
    select
        person_id,
        lower(trim(email)) as email_key,
        lower(trim(name)) as name_key
    from import_people_in_file
),

candidates as (
    select placeholders.placeholder_id, in_file.person_id, 1 as way
    from placeholders
    inner join in_file on in_file.email_key = placeholders.email_key
    union all
    select placeholders.placeholder_id, in_file.person_id, 2 as way
    from placeholders
    inner join in_file
        on in_file.name_key = placeholders.name_key
        and (in_file.email_key is null or placeholders.email_key is null)
),

first_way as (
    select placeholder_id, min(way) as way
    from candidates
    group by placeholder_id
)

select
    candidates.placeholder_id,
    any_value(placeholders.name) as placeholder_name,
    min(candidates.person_id) as person_id,
    count(distinct candidates.person_id) as matches,
    list(distinct candidates.person_id order by candidates.person_id) as candidates,
    any_value(case candidates.way when 1 then 'email' else 'name' end) as matched_by
from candidates
inner join first_way using (placeholder_id, way)
inner join placeholders using (placeholder_id)
group by candidates.placeholder_id
