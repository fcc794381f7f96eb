-- The campaign_deals rows of the given deals, before they are read again.
delete from campaign_deals
where deal_id in (select unnest($deal_ids::varchar[]))
