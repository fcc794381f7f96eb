-- Regions and segments that occur in the data, for the global filters. The deals' are read
-- from the deal_breakdowns summary (kept with deals) rather than from every deal.
select distinct
    kind,
    value
from (
    select kind, value from deal_breakdowns
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
