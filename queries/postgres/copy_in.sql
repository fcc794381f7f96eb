-- Rows from a replica's copy (CSV as DuckDB writes it: a null is an empty field).
copy {table} ({columns}) from stdin (format csv)
