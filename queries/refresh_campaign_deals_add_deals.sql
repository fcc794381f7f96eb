-- The given deals' rows as the summary's definition (campaign_deals_live) gives them: a deal's
-- row is its own and its lead's, so no other deal's row changes with it. Written out rather
-- than filtered from the view, so that the leads are looked up by the deals' lead ids (a
-- filtered scan) instead of joined whole (about 3 s at 10M leads, against a tenth of that).
insert into campaign_deals
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
where deals.deal_id in (select unnest($deal_ids::varchar[]))
    and leads.lead_id in (
        select lead_id from deals where deal_id in (select unnest($deal_ids::varchar[]))
    )
    and leads.campaign_id is not null
    and leads.lead_id not in (select lead_id from funnel_listed_twice)
order by campaign_id, deal_id
