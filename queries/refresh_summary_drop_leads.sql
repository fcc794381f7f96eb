-- The rows of a summary kept lead by lead (relay.summaries.BY_LEAD) for the leads a write
-- changed, taken out before refresh_summary_add_leads derives them again.
delete from {summary}
where lead_id in (select unnest($lead_ids::varchar[]))
