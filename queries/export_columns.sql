-- The columns of a store table, in order, with their types: what an export writes, and how
-- relay.summaries tells a summary's key from its counts.
select column_name, data_type
from information_schema.columns
where table_name = $table
    and table_schema = 'main'
order by ordinal_position
