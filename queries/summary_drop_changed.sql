-- The rows of {summary} whose counts {change} changes (summary_apply_change has them anew);
-- found by row id, as a delete's own condition cannot spread the key's columns.
delete from {summary}
where rowid in (
    select rowid
    from {summary}
    where row(*columns($keys)) in (select row(*columns($keys)) from {change})
)
