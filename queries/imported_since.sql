-- Whether a given file was imported (written) by a given actor after import number $after.
select count(*) > 0 as found
from import_runs
where import_id > $after
    and outcome = 'imported'
    and file_name = $file_name
    and table_name = $table_name
    and actor = $actor
