-- The problems an import finds in a file, empty until its checks (import_check_*) put theirs
-- in: the line (null: the whole column), the column's header, the value and why.
create or replace temp table import_problems (
    line bigint,
    column_name varchar,
    value varchar,
    reason varchar
)
