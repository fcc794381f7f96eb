insert into import_runs (
    started_at, finished_at, actor, file_name, file_bytes, table_name, layout, rows_in_file,
    inserted, updated, unchanged, new_people, problems, outcome, message
)
values (
    $started_at, $finished_at, $actor, $file_name, $file_bytes, $table_name, $layout,
    $rows_in_file, $inserted, $updated, $unchanged, $new_people, $problems, $outcome, $message
)
returning import_id
