-- The given deals' states from the summary's definition, derived from those deals alone,
-- appended in close-date order (a few deals: the row groups the pages skip by close date
-- stay as they are).
insert into deal_states
select * from deal_states_of($deal_ids::varchar[])
order by close_date, deal_id, valid_from
