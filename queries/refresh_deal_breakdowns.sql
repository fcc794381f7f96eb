-- Rebuild the deal_breakdowns summary from its definition.
delete from deal_breakdowns;
insert into deal_breakdowns
select * from deal_breakdowns_live
