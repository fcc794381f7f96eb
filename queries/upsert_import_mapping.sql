insert or replace into import_mappings (name, table_name, columns, date_format, saved_by, saved_at)
values ($name, $table_name, $columns, $date_format, $saved_by, $saved_at)
