-- The given deals whose lead came from a campaign, as sourced_deals_live lists them: only
-- their own leads are looked up (not the whole leads table).
with named as (
    select *
    from deals
    where deal_id in (select unnest($deal_ids::varchar[]))
)

insert into sourced_deals
select
    deal_id,
    region,
    segment,
    amount,
    status,
    forecast_category,
    created_at,
    close_date
from named
where lead_id in (
    select lead_id from leads
    where campaign_id is not null
        and lead_id in (select lead_id from named)
)
