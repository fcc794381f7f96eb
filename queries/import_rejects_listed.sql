-- The lines DuckDB could not read as rows of the CSV file, first $limit.
select line, column_name, error_type, error_message
from import_rejects
order by line
limit $limit
