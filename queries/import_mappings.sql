-- The column mappings people saved on the Data page.
select
    name,
    table_name,
    columns,
    date_format
from import_mappings
order by name
