-- Each person an import file names (owner, manager, submitter), matched to who it is: by
-- person_id, else by email (also inside "Name <email>"), else by name. An owner nobody
-- matches becomes a new person when $creates, with an ID derived from the email or name so
-- that importing the file again finds the same person.
create or replace temp table import_people as
with parsed as (
    select
        value,
        lower(value) as as_id,
        lower(nullif(regexp_extract(value, '[^\s<>()"]+@[^\s<>()"]+'), '')) as as_email,
        trim(regexp_replace(value, '\s*[<(][^<>()]*[>)]\s*$', '')) as shown_name
    from import_people_wanted
),

known as (
    select
        person_id,
        lower(person_id) as id_key,
        lower(email) as email_key,
        lower(name) as name_key,
        region,
        segment
    from people
    -- A placeholder this people file merges is the person of the file's row.
    where person_id not in (select placeholder_id from import_merges)
    union all
    select
        person_id,
        lower(person_id),
        lower(email),
        lower(name),
        region,
        segment
    from import_people_in_file
),

-- Each way a file may name a person, tried in this order: 1 person_id, 2 email, 3 name.
known_keys as (
    select person_id, 1 as way, id_key as key from known
    union all
    select person_id, 2 as way, email_key as key from known
    union all
    select person_id, 3 as way, name_key as key from known
),

named_keys as (
    select value, 1 as way, as_id as key from parsed
    union all
    select value, 2 as way, as_email as key from parsed
    union all
    select value, 3 as way, lower(shown_name) as key from parsed
),

found as (
    select
        named_keys.value,
        named_keys.way,
        min(known_keys.person_id) as person_id,
        count(distinct known_keys.person_id) as matches
    from named_keys
    inner join known_keys
        on known_keys.way = named_keys.way
        and known_keys.key = named_keys.key
    group by named_keys.value, named_keys.way
),

-- The first way that finds anyone decides: one match is the person, more is a name two
-- people share.
first_found as (
    select
        value,
        arg_min(person_id, way) as person_id,
        arg_min(matches, way) as matches
    from found
    group by value
),

matched as (
    select
        parsed.*,
        coalesce(first_found.matches, 0) as matches,
        case when first_found.matches = 1 then first_found.person_id end as known_id
    from parsed
    left join first_found using (value)
),

resolved as (
    select
        value,
        matches,
        matches = 0 and $creates as is_new,
        case
            when known_id is not null then known_id
            when matches = 0 and $creates
                then 'crm-' || substr(md5(coalesce(as_email, lower(shown_name))), 1, 12)
        end as person_id,
        case
            when shown_name like '%@%' then split_part(shown_name, '@', 1)
            else shown_name
        end as new_name,
        as_email as new_email,
        $team as new_team
    from matched
)

select
    resolved.*,
    known.region,
    known.segment
from resolved
left join (select distinct person_id, region, segment from known) as known
    on known.person_id = resolved.person_id
