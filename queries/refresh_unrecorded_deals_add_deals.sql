-- The given deals that have no recorded history, as unrecorded_deals_live lists them: only
-- their own rows of deal_history are looked up (not the whole history).
insert into unrecorded_deals
select
    deal_id,
    region,
    segment
from deals
where deal_id in (select unnest($deal_ids::varchar[]))
    and deal_id not in (
        select deal_id from deal_history
        where deal_id in (select unnest($deal_ids::varchar[]))
    )
