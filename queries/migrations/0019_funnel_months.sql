-- Summary: the funnel's stage events at month grain, so that funnel_by_quarter as it stood
-- at the start of any month is a sum over a few hundred thousand rows rather than every lead
-- and deal (funnel_by_month.sql; the days of the as-of month are corrected from the source
-- tables, restricted to the leads with a date in that month).
--
-- One row per stage, reached month and the months its counts change in, by source, region
-- and segment, with the number of events. At the start of month C an event counts when
-- counts_from < C and not (counts_until < C); it went on when next_month < C; an MQL got
-- to SQL / opportunity / won when sql_month / opportunity_month / won_month < C. A lead's
-- opportunity opens with its first deal; it counts as won from the first month a won deal of
-- its was both created and closed; its won event is at the latest such close date, so each
-- won close date of a lead is an event from when it counts until a later one counts.
-- Leads listed twice are left out: funnel_listed_twice names them, and the page reads them
-- from the source tables (the funnel counts their opportunities once).
create or replace view funnel_listed_twice_live as
select lead_id
from leads
group by lead_id
having count(*) > 1;

-- Refreshed before funnel_months, which reads it (relay.summaries.SOURCES).
create or replace table funnel_listed_twice as
select * from funnel_listed_twice_live;

create or replace view funnel_months_live as
with once as (
    select *
    from leads
    where lead_id not in (select lead_id from funnel_listed_twice)
),

won_closes as (
    select lead_id, close_date, min(greatest(created_at::date, close_date)) as counts_on
    from deals
    where lead_id is not null and status = 'won'
    group by lead_id, close_date
),

lead_deals as (
    select
        deals.lead_id,
        date_trunc('month', min(deals.created_at))::date as opportunity_month,
        date_trunc('month', min(won_closes.counts_on))::date as won_month
    from deals
    left join won_closes on won_closes.lead_id = deals.lead_id
    where deals.lead_id is not null
    group by deals.lead_id
),

leads_and_deals as (
    select
        once.source,
        once.region,
        once.segment,
        date_trunc('month', once.created_at)::date as created_month,
        date_trunc('month', once.mql_at)::date as mql_month,
        date_trunc('month', once.sal_at)::date as sal_month,
        date_trunc('month', once.sql_at)::date as sql_month,
        lead_deals.opportunity_month,
        lead_deals.won_month
    from once
    left join lead_deals using (lead_id)
),

-- Each won close date counts until the first month a later one of the same lead counts.
wins as (
    select
        once.source,
        once.region,
        once.segment,
        date_trunc('month', won_closes.close_date)::date as reached_month,
        date_trunc('month', won_closes.counts_on)::date as counts_from,
        date_trunc('month', (
            select min(later.counts_on)
            from won_closes as later
            where later.lead_id = won_closes.lead_id and later.close_date > won_closes.close_date
        ))::date as counts_until
    from won_closes
    join once using (lead_id)
),

events as (
    select
        'inquiries' as stage, created_month as reached_month, created_month as counts_from,
        null::date as counts_until, mql_month as next_month, null::date as sql_month,
        null::date as opportunity_month, null::date as won_month, source, region, segment
    from leads_and_deals
    union all
    select
        'mqls', mql_month, mql_month, null, sal_month, sql_month, opportunity_month, won_month,
        source, region, segment
    from leads_and_deals
    where mql_month is not null
    union all
    select 'sals', sal_month, sal_month, null, sql_month, null, null, null, source, region, segment
    from leads_and_deals
    where sal_month is not null
    union all
    select
        'sqls', sql_month, sql_month, null, opportunity_month, null, null, null,
        source, region, segment
    from leads_and_deals
    where sql_month is not null
    union all
    select
        'opportunities', opportunity_month, opportunity_month, null, won_month, null, null, null,
        source, region, segment
    from leads_and_deals
    where opportunity_month is not null
    union all
    select 'won', reached_month, counts_from, counts_until, null, null, null, null,
        source, region, segment
    from wins
)

select
    stage, reached_month, counts_from, counts_until, next_month, sql_month, opportunity_month,
    won_month, source, region, segment, count(*)::integer as events
from events
group by all;

create or replace table funnel_months as
select * from funnel_months_live
order by counts_from;
