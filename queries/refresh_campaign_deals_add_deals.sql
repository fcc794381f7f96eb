-- The given deals' rows from the summary's definition (a deal's row is its own and its
-- lead's: no other deal's row changes with it).
insert into campaign_deals
select * from campaign_deals_live
where deal_id in (select unnest($deal_ids::varchar[]))
order by campaign_id, deal_id
