-- Summaries for the funnel and speed-to-lead pages and for the header every page shows, so
-- that a cold page no longer scans every lead for them (at 10M leads: the data-quality
-- counts 110-170 ms, the funnel's correction for leads with a deal in the as-of month
-- 150-500 ms, the header's first day and region / segment choices 45 ms).

-- The leads whose dates contradict each other or their stage (lead_data_quality.sql): a few
-- thousand of 10M. A lead no flag is set for counts in no figure of lead_data_quality, so
-- the figures read from these rows alone are those of every lead.
create or replace view lead_quality_live as
select
    lead_id,
    region,
    segment,
    created_at,
    mql_at,
    sal_at,
    sql_at,
    coalesce(sal_at < mql_at, false) as sal_before_mql,
    coalesce(sql_at < sal_at, false) as sql_before_sal,
    coalesce(first_touch_at < mql_at, false) as touch_before_mql,
    coalesce(
        (stage in ('mql', 'sal', 'sql', 'opportunity') and mql_at is null)
        or (stage in ('sal', 'sql', 'opportunity') and sal_at is null)
        or (stage in ('sql', 'opportunity') and sql_at is null),
        false
    ) as missing_timestamps,
    coalesce(stage in ('sal', 'sql', 'opportunity') and first_touch_at is null, false)
        as moved_on_untouched
from leads
where sal_at < mql_at
    or sql_at < sal_at
    or first_touch_at < mql_at
    or (stage in ('mql', 'sal', 'sql', 'opportunity') and mql_at is null)
    or (stage in ('sal', 'sql', 'opportunity') and sal_at is null)
    or (stage in ('sql', 'opportunity') and sql_at is null)
    or (stage in ('sal', 'sql', 'opportunity') and first_touch_at is null);

create or replace table lead_quality as
select * from lead_quality_live
order by lead_id;

-- The leads funnel_by_month.sql looks up by id (those that have a deal, and those listed
-- twice), with what the funnel counts them by: its correction finds the leads of the deals
-- created or won in the as-of month here (half a million rows at 10M leads) instead of
-- scanning every lead's id. Refreshed after funnel_listed_twice, which it reads.
create or replace view funnel_lookup_leads_live as
select lead_id, source, region, segment, created_at, mql_at, sal_at, sql_at
from leads
where lead_id in (select lead_id from deals)
    or lead_id in (select lead_id from funnel_listed_twice);

create or replace table funnel_lookup_leads as
select * from funnel_lookup_leads_live
order by lead_id;

-- What the header of every page reads from the big tables (data_span.sql,
-- filter_values.sql): the first day of deals and leads, and the regions and segments the
-- deals name.
create or replace view store_span_live as
select
    (select min(created_at)::date from deals) as first_deal_day,
    (select min(created_at)::date from leads) as first_lead_day;

create or replace table store_span as
select * from store_span_live;

create or replace view deal_breakdowns_live as
select distinct 'region' as kind, region as value from deals where region is not null
union
select distinct 'segment', segment from deals where segment is not null;

create or replace table deal_breakdowns as
select * from deal_breakdowns_live;

-- The owners of MQLs by region and segment (a few thousand rows), for the speed-to-lead
-- page's rep picker (sla_reps.sql) instead of every lead's owner.
create or replace view mql_owners_live as
select distinct owner_id, region, segment
from leads
where mql_at is not null
    and owner_id is not null;

create or replace table mql_owners as
select * from mql_owners_live;
