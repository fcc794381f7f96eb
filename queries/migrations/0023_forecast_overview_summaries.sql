-- Summary: the deals with no recorded history (no row in deal_history), with their region and
-- segment, so that the forecast and the overview count them by breakdown without an
-- anti-join of every deal with the whole deal history on each cold page (0.1-0.5 s at 10M
-- leads). A store whose deals all have a history holds no row here.
create or replace view unrecorded_deals_live as
select
    deal_id,
    region,
    segment
from deals
where deal_id not in (select deal_id from deal_history);

create or replace table unrecorded_deals as
select * from unrecorded_deals_live;

-- Summary: the deals whose lead came from a campaign (marketing-sourced), with what the
-- overview's sourced shares read of them, so that it does not match every deal's lead
-- against the whole leads table on each cold page (0.2-0.5 s at 10M leads).
create or replace view sourced_deals_live as
select
    deal_id,
    region,
    segment,
    amount,
    status,
    forecast_category,
    created_at,
    close_date
from deals
-- A semi-join: a lead id listed twice in leads must not count its deal twice.
where lead_id in (select lead_id from leads where campaign_id is not null);

create or replace table sourced_deals as
select * from sourced_deals_live;
