-- Each rep's MQLs of the window (the leads they own that became MQLs then) by campaign
-- channel and by lead source, with how many reached SQL and how many have a won deal, both
-- by the end of the as-of day ($until): a day in the past sees only what was known then.
-- The window is whole quarters, so whole months: the rows of rep_strength_months (migration
-- 0026), whose won day is exact and whose SQL month counts when it is before the month of
-- $until; the leads that became SQLs in that month before $until are read from the leads,
-- by a range on sql_at the scan prunes by. rep_strengths_from_leads.sql is the definition on
-- every lead.
with bounds as (
    select date_trunc('month', $until::date)::date as month_start
),

counted as (
    select
        owner_id, channel, source,
        sum(mqls) as mqls,
        coalesce(sum(mqls) filter (where sql_month < month_start), 0) as sqls,
        coalesce(sum(mqls) filter (where won_on < $until), 0) as won
    from rep_strength_months, bounds
    where mql_month >= $starts_on
        and mql_month < $ends_before
        and ($region is null or region = $region)
        and ($segment is null or segment = $segment)
    group by owner_id, channel, source
    union all
    select
        leads.owner_id,
        coalesce(campaigns.channel, 'No campaign'),
        coalesce(leads.source, 'No source'),
        0,
        count(*),
        0
    from scoped_leads($region, $segment) as leads
    cross join bounds
    left join campaigns on campaigns.campaign_id = leads.campaign_id
    where leads.sql_at >= bounds.month_start
        and leads.sql_at < $until
        and leads.mql_at >= $starts_on
        and leads.mql_at < $ends_before
        and leads.owner_id is not null
    group by all
),

-- The people's names joined to a few thousand rows, not to every MQL.
named as (
    select
        counted.owner_id as person_id,
        coalesce(people.name, counted.owner_id) as rep,
        counted.channel,
        counted.source,
        sum(counted.mqls) as mqls,
        sum(counted.sqls) as sqls,
        sum(counted.won) as won
    from counted
    left join people on people.person_id = counted.owner_id
    group by all
)

select
    person_id,
    rep,
    case when grouping(channel) = 0 then 'channel' else 'source' end as dimension,
    coalesce(channel, source) as value,
    sum(mqls)::bigint as mqls,
    sum(sqls)::bigint as sqls,
    sum(won)::bigint as won
from named
group by grouping sets ((person_id, rep, channel), (person_id, rep, source))
order by rep, person_id, dimension, value
