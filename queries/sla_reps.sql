-- The people who own MQLs of the region and segment chosen (null: all), for the rep filter
-- of the speed-to-lead page: a rep picker that follows the sidebar. The owners are read from
-- the mql_owners summary (migration 0024) rather than from every lead.
select distinct
    people.person_id,
    people.name
from people
where people.person_id in (
    select owner_id
    from mql_owners
    where ($region is null or region = $region)
        and ($segment is null or segment = $segment)
)
order by people.name
