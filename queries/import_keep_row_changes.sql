insert into import_row_changes
select $id, $table, row_key, change, columns
from import_changes_noted
