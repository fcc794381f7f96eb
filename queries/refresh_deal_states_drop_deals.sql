-- The deal_states rows of the given deals, before their states are derived again.
delete from deal_states
where deal_id in (select unnest($deal_ids::varchar[]))
