-- The first $limit problems (or warnings) of an import, those of a whole column (no line)
-- first.
select line, column_name, value, reason
from {table}
order by line nulls first, column_name
limit $limit
