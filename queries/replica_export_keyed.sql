-- The rows of {table} the running import wrote (new or updated by their {key}: the table's
-- key columns).
copy (
    select {columns} from {table}
    where ({key}) in (select {key} from import_changes where change <> 'unchanged')
) to $path (format csv, header false)
