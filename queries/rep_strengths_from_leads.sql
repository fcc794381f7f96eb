-- Each rep's MQLs of the window (the leads they own that became MQLs then) by campaign
-- channel and by lead source, with how many reached SQL and how many have a won deal, both
-- by the end of the as-of day ($until): a day in the past sees only what was known then.
-- The definition on every lead, which rep_strengths.sql (what the pages read) sums from the
-- rep_strength_months summary; the tests hold the two equal.
with won as (
    select distinct lead_id
    from deals
    where status = 'won'
        and close_date < $until
        and lead_id is not null
),

mqls as (
    select
        leads.owner_id as person_id,
        coalesce(people.name, leads.owner_id) as rep,
        coalesce(campaigns.channel, 'No campaign') as channel,
        coalesce(leads.source, 'No source') as source,
        coalesce(leads.sql_at < $until, false) as reached_sql,
        won.lead_id is not null as is_won
    from scoped_leads($region, $segment) as leads
    left join people on people.person_id = leads.owner_id
    left join campaigns on campaigns.campaign_id = leads.campaign_id
    left join won on won.lead_id = leads.lead_id
    where leads.mql_at >= $starts_on
        and leads.mql_at < $ends_before
        and leads.owner_id is not null
)

select
    person_id,
    rep,
    case when grouping(channel) = 0 then 'channel' else 'source' end as dimension,
    coalesce(channel, source) as value,
    count(*) as mqls,
    count(*) filter (where reached_sql) as sqls,
    count(*) filter (where is_won) as won
from mqls
group by grouping sets ((person_id, rep, channel), (person_id, rep, source))
order by rep, person_id, dimension, value
