-- Summaries: what campaign_performance.sql reads instead of every lead of the quarter's
-- campaigns and their deals (about half a second a quarter at 10M leads).
--
-- campaign_lead_months: the leads of each campaign by region, segment, the month they were
-- created and the month they became MQLs, with how many of them have an MQL date, an MQL and a
-- SAL date (accepted), an SQL date: the counts at any time. The planner's campaign inquiries
-- and MQLs from outside campaigns (plan_funnel_cohorts.sql) are sums over it too. A lead counts in a quarter by its created day held to its
-- campaign's days, and at month grain that is its created month held to the campaign's first
-- and last months (the quarters' edges are months' edges); the page corrects the counts for the
-- few leads with a date on or after its as-of day's end, read from leads.
create or replace view campaign_lead_months_live as
select
    campaign_id,
    region,
    segment,
    date_trunc('month', created_at)::date as created_month,
    date_trunc('month', mql_at)::date as mql_month,
    count(*)::integer as leads,
    count(mql_at)::integer as mqls,
    count(*) filter (where sal_at is not null and mql_at is not null)::integer as sals,
    count(sql_at)::integer as sqls
from leads
where campaign_id is not null
group by all;

create or replace table campaign_lead_months as
select * from campaign_lead_months_live
order by created_month, campaign_id;

-- campaign_deals: each deal of a lead from a campaign, with the lead's campaign, region,
-- segment and creation moment, which decide the quarter and breakdown the deal's pipeline and
-- revenue count in. Leads listed twice are left out (funnel_listed_twice, refreshed before
-- it): the page reads them from the source tables, as their campaign is the one of their rows
-- counted in the quarter. One row per deal: refreshed deal by deal.
create or replace view campaign_deals_live as
select
    deals.deal_id,
    leads.campaign_id,
    leads.region,
    leads.segment,
    leads.created_at as lead_created_at,
    deals.amount,
    deals.status,
    deals.forecast_category,
    deals.created_at,
    deals.close_date
from deals
join leads on leads.lead_id = deals.lead_id
where leads.campaign_id is not null
    and leads.lead_id not in (select lead_id from funnel_listed_twice);

create or replace table campaign_deals as
select * from campaign_deals_live
order by campaign_id, deal_id;
