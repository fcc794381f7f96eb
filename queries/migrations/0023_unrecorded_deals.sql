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
