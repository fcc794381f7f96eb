insert into import_row_changes
select
    $id, 'people', placeholder_id, 'merged',
    to_json([{'column': 'person_id', 'before': placeholder_id, 'after': person_id}])::varchar
from import_merges
order by placeholder_id
