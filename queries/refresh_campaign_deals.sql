-- Rebuild the campaign_deals summary from its definition.
delete from campaign_deals;
insert into campaign_deals
select * from campaign_deals_live
order by campaign_id, deal_id;
