-- How many rows of each table an accepted import changed, by what happened to them (the rows
-- kept: at most relay.importing.MAX_CHANGES_KEPT per import).
select
    table_name,
    change,
    count(*) as "rows"
from import_row_changes
where import_id = $import_id
group by table_name, change
order by table_name, change
