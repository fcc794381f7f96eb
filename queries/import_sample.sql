-- The first $limit rows of the import as they will be stored ({columns}), with what each
-- does: the preview.
select change, {columns}
from import_changes
order by line
limit $limit
