-- The people the file has of its own: none, until a people file puts its rows in
-- (import_people_in_file_from_file).
create or replace temp table import_people_in_file (
    person_id varchar,
    email varchar,
    name varchar,
    region varchar,
    segment varchar
)
