-- The deal_credits rows of the given deals, before their credits are derived again.
delete from deal_credits
where deal_id in (select unnest($deal_ids::varchar[]))
