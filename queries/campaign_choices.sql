-- The channels campaigns use and the people who can own one, for the calendar's filters.
select distinct
    'channel' as kind,
    channel as value,
    channel as label
from campaigns
union all
select
    'owner' as kind,
    person_id as value,
    name as label
from people
where team in ('marketing', 'revops', 'exec')
    or person_id in (select owner_id from campaigns)
order by kind, label
