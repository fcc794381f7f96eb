-- People an import created for an owner it did not know are placeholders, until a people
-- import matches them (by email, else by name) and merges them into the real person. Kept
-- beside people, so that the contract's people table keeps its columns.
create table people_placeholders (
    person_id varchar primary key
);
-- Before this migration, the importer's people were the ones with its derived IDs.
insert into people_placeholders
select person_id from people where regexp_full_match(person_id, 'crm-[0-9a-f]{12}');

-- What each accepted import changed, row by row, so that it can be checked afterwards:
-- the row's key, what happened to it, and for an update only the columns that changed
-- (JSON: [{"column": ..., "before": ..., "after": ...}]). At most a cap of rows per import
-- is kept; import_runs has the full counts.
create table import_row_changes (
    import_id integer not null,
    table_name varchar not null,
    row_key varchar not null,
    change varchar not null check (change in ('new', 'updated', 'merged')),
    columns varchar
);
