-- Rebuild the sourced_deals summary from its definition.
delete from sourced_deals;
insert into sourced_deals
select * from sourced_deals_live
