-- Rebuild the deal_states summary from its definition, ordered by close date.
delete from deal_states;
insert into deal_states
select * from deal_states_live
order by close_date, deal_id, valid_from;
