-- The sourced_deals rows of the given deals, before they are looked at again.
delete from sourced_deals
where deal_id in (select unnest($deal_ids::varchar[]))
