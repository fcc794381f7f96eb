-- Rebuild the unrecorded_deals summary from its definition.
delete from unrecorded_deals;
insert into unrecorded_deals
select * from unrecorded_deals_live
