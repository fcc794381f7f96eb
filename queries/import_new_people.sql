-- The people an import creates for unknown owners: "Ana Ruiz" and "ana ruiz" are one.
select min(new_name) as name
from import_people
where is_new
group by person_id
order by name
