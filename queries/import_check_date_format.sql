-- Whether DuckDB takes $pattern as a strptime pattern (an error if not).
select try_strptime('2026-01-01', $pattern)
