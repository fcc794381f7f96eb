-- The given close months' deltas from the summary's definition (deal_states, refreshed
-- first), appended in order.
insert into pipeline_deltas
select * from pipeline_deltas_live
where close_month in (select unnest($months::date[]))
order by close_month, day
