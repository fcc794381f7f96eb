-- The given deals' credits from the summary's definition (each deal's journey is its own:
-- no other deal's credits change with it), derived from those deals alone.
insert into deal_credits
select * from deal_credits_of($deal_ids::varchar[])
order by journey_until, created_at, deal_id, position
