-- The people who own MQLs of the region and segment chosen (null: all), for the rep filter
-- of the speed-to-lead page: a rep picker that follows the sidebar.
select distinct
    people.person_id,
    people.name
from people
where people.person_id in (
    select owner_id from scoped_leads($region, $segment) where mql_at is not null
)
order by people.name
