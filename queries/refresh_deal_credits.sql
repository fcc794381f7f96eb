-- Rebuild the deal_credits summary from its definition.
delete from deal_credits;
insert into deal_credits
select * from deal_credits_live
order by journey_until, created_at, deal_id, position;
