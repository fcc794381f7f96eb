-- Each placeholder a people file merges into a person of the file, and how it matched.
select placeholder_id, placeholder_name, person_id, matched_by
from import_merges
order by placeholder_id
