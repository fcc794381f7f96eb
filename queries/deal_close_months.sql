-- The close months of every state of the given deals, as deal_states holds them: the keys of
-- pipeline_deltas their change touches.
select distinct date_trunc('month', close_date)::date as close_month
from deal_states
where deal_id in (select unnest($deal_ids::varchar[]))
