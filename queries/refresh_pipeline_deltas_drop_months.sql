-- The pipeline_deltas rows of the given close months, before they are derived again.
delete from pipeline_deltas
where close_month in (select unnest($months::date[]))
