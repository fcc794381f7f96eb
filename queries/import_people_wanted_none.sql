-- A file that names no person.
create or replace temp table import_people_wanted (value varchar)
