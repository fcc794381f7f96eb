-- A file that is not a people file has no people of its own.
create or replace temp table import_people_in_file (
    person_id varchar,
    email varchar,
    name varchar,
    region varchar,
    segment varchar
)
