-- The latest imports, newest first, for the Data page.
select
    import_id,
    started_at,
    actor,
    file_name,
    table_name,
    layout,
    rows_in_file,
    inserted,
    updated,
    unchanged,
    new_people,
    problems,
    outcome,
    message
from import_runs
order by import_id desc
limit $limit
