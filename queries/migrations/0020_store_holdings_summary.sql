-- Summary: what the store holds that a figure may need (relay.holdings), counted when its
-- tables change rather than on every cold page (the counts over 10M leads took 0.4-0.7 s,
-- and every view reads them).
create or replace view store_holdings_live as
select
    (select count(*) from deals) as deals,
    (select count(*) from deal_history) as deal_history,
    (select count(*) from leads) as leads,
    (select count(mql_at) from leads) as leads_with_mql_date,
    (select count(sal_at) from leads) as leads_with_sal_date,
    (select count(sql_at) from leads) as leads_with_sql_date,
    (select count(first_touch_at) from leads where mql_at is not null) as mqls_with_first_touch,
    (select count(campaign_id) from leads) as leads_from_campaigns,
    (select count(lead_id) from deals) as deals_from_leads,
    (select count(*) from campaigns) as campaigns,
    (select count(actual_cost) from campaigns) as campaigns_with_cost,
    (select count(*) from touches) as touches;

create or replace table store_holdings as
select * from store_holdings_live;
