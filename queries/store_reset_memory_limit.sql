-- DuckDB's own default (80% of the machine's memory), exactly: SET takes only the rounded
-- size it shows.
reset memory_limit
