-- Summary: the rep strengths' MQLs (rep_strengths.sql) at month grain, so that My week and the
-- planning meeting sum a few hundred thousand rows rather than join and group every MQL of the
-- look-back window (at 10M leads, 806k MQLs a year: 210-230 ms of every cold My week).
--
-- One row per owner, campaign channel, lead source, region, segment, month the leads became
-- MQLs, month they became SQLs and day their lead's first won deal closed, with how many lead
-- rows (a lead listed twice counts twice, as in the definition). A lead got to SQL by the end
-- of an as-of day when its sql_at is before the day after it: the months before the as-of
-- month are read here, the days of that month from the leads (rep_strengths.sql); it was won
-- by then when its first won deal had closed, read here at day grain (a lead's first won close
-- day: a row more for each of a few percent of the leads).
-- Counts over leads (relay.summaries.COUNTED_BY_LEAD): a lead counts in rows of its own, so an
-- import of few leads or deals changes only what its leads count; the definition is a table
-- macro of the leads to count (null: all), as funnel_months' (migration 0025).
create or replace macro rep_strength_months_of(lead_ids) as table
with first_wins as (
    select lead_id, min(close_date) as won_on
    from deals
    where status = 'won'
        and lead_id is not null
        and (lead_ids is null or lead_id in (select unnest(lead_ids)))
    group by lead_id
)

select
    leads.owner_id,
    coalesce(campaigns.channel, 'No campaign') as channel,
    coalesce(leads.source, 'No source') as source,
    leads.region,
    leads.segment,
    date_trunc('month', leads.mql_at)::date as mql_month,
    date_trunc('month', leads.sql_at)::date as sql_month,
    first_wins.won_on,
    count(*)::integer as mqls
from leads
left join campaigns on campaigns.campaign_id = leads.campaign_id
left join first_wins on first_wins.lead_id = leads.lead_id
where leads.mql_at is not null
    and leads.owner_id is not null
    and (lead_ids is null or leads.lead_id in (select unnest(lead_ids)))
group by all;

create or replace view rep_strength_months_live as
select * from rep_strength_months_of(null::varchar[]);

create or replace table rep_strength_months as
select * from rep_strength_months_live
order by mql_month;
