-- A store table ({table}, its {columns} in order) as Parquet at $output, values exactly as
-- stored.
copy (select {columns} from {table}) to $output (format parquet)
