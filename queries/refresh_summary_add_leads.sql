-- The rows of a summary kept lead by lead (relay.summaries.BY_LEAD) for the leads a write
-- changed, derived again from its definition.
insert into {summary}
select *
from {live}
where lead_id in (select unnest($lead_ids::varchar[]))
