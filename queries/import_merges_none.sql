-- Only a people file merges placeholders.
create or replace temp table import_merges (
    placeholder_id varchar,
    placeholder_name varchar,
    person_id varchar,
    matches bigint,
    candidates varchar[],
    matched_by varchar
)
