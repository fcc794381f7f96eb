-- Regions and segments that occur in the data, for the global filters.
select distinct
    kind,
    value
from (
    select 'region' as kind, region as value from deals
    union all
    select 'segment', segment from deals
    union all
    select 'region', region from campaigns
    union all
    select 'segment', segment from campaigns
    union all
    select 'region', region from people
    union all
    select 'segment', segment from people
    union all
    select 'region', region from goals
    union all
    select 'segment', segment from goals
)
where value is not null
order by kind, value
