-- Speed to lead for the MQLs of the period, overall and by rep, team, region and week.
-- Speed = first touch − MQL (a touch before the MQL counts as zero: see lead_data_quality).
-- SLA met = touched within $sla_hours; an MQL still waiting (stage mql, not touched) and
-- older than that is an open breach (the same rule as open_breaches.sql); an untouched MQL
-- inside its SLA is not counted either way yet. Touches after $now have not happened yet.
-- A rep whose MQLs of the period moved on to SAL or further (which takes a touch) with not
-- one first touch recorded among them, in any region or segment, does not have touches
-- recorded (the untracked_owners macro, shared with open_breaches.sql): their MQLs count as
-- `untracked`, never as untouched (no speed, no SLA met or missed, no breach).
with period as (
    select *
    from scoped_leads($region, $segment)
    where mql_at >= $starts_on
        and mql_at < $ends_before
),

mqls as (
    select
        leads.owner_id,
        coalesce(people.name, 'Unassigned') as rep,
        coalesce(people.team, 'unassigned') as team,
        leads.region,
        date_trunc('week', leads.mql_at)::date as week,
        coalesce(untracked_owners.untracked, false) as untracked,
        -- greatest() skips NULLs, so an untouched lead must stay NULL explicitly.
        case when leads.first_touch_at < $now
            then greatest(epoch(leads.first_touch_at - leads.mql_at), 0) / 3600
        end as hours,
        (leads.first_touch_at is null or leads.first_touch_at >= $now)
            and leads.stage = 'mql'
            and epoch($now::timestamp - leads.mql_at) / 3600 > $sla_hours as open_breach
    from period as leads
    left join people on people.person_id = leads.owner_id
    left join untracked_owners($starts_on, $ends_before) as untracked_owners
        on untracked_owners.owner_id is not distinct from leads.owner_id
)

select
    case
        when grouping(rep) = 0 then 'rep'
        when grouping(team) = 0 then 'team'
        when grouping(region) = 0 then 'region'
        when grouping(week) = 0 then 'week'
        else 'all'
    end as dimension,
    case
        when grouping(rep) = 0 then rep
        when grouping(team) = 0 then team
        when grouping(region) = 0 then coalesce(region, '(no region)')
        when grouping(week) = 0 then week::varchar
        else 'All'
    end as value,
    owner_id,
    count(*) as mqls,
    count(*) filter (where untracked) as untracked,
    count(hours) as touched,
    median(hours) as median_hours,
    quantile_cont(hours, 0.9) as p90_hours,
    count(*) filter (where hours <= $sla_hours) as within_sla,
    count(*) filter (where open_breach and not untracked) as open_breaches
from mqls
group by grouping sets ((), (owner_id, rep), (team), (region), (week))
