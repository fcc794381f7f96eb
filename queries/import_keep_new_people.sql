-- The placeholders made for unknown owners.
insert into import_row_changes
select distinct $id, 'people', person_id, 'new', null
from import_people
where is_new
order by person_id
