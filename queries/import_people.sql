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

by_id as (
    select
        parsed.value,
        min(known.person_id) as person_id,
        count(distinct known.person_id) as matches
    from parsed
    inner join known on known.id_key = parsed.as_id
    group by parsed.value
),

by_email as (
    select
        parsed.value,
        min(known.person_id) as person_id,
        count(distinct known.person_id) as matches
    from parsed
    inner join known on known.email_key = parsed.as_email
    group by parsed.value
),

by_name as (
    select
        parsed.value,
        min(known.person_id) as person_id,
        count(distinct known.person_id) as matches
    from parsed
    inner join known on known.name_key = lower(parsed.shown_name)
    group by parsed.value
),

matched as (
    select
        parsed.*,
        -- The first way that finds anyone decides: one match is the person, more is a
        -- name two people share.
        coalesce(by_id.matches, by_email.matches, by_name.matches, 0) as matches,
        case when coalesce(by_id.matches, by_email.matches, by_name.matches) = 1
            then coalesce(by_id.person_id, by_email.person_id, by_name.person_id)
        end as known_id
    from parsed
    left join by_id using (value)
    left join by_email using (value)
    left join by_name using (value)
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
