-- The rows the current transaction added to {table}. DuckDB numbers the rows a transaction
-- appends from 36028797018960000 (MAX_ROW_ID) until it commits; stored rows are numbered
-- below it (tests/test_postgres.py checks this stays so).
copy (select {columns} from {table} where rowid >= 36028797018960000) to $path
(format csv, header false)
