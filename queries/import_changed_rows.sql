-- What an accepted import changed: one line per changed column of an updated row, one line
-- per new row or merged person; in the order they were kept.
select
    table_name,
    row_key as "key",
    change,
    pair.column as "column",
    pair.before as before,
    pair.after as after
from (
    select
        rowid as kept,
        table_name,
        row_key,
        change,
        unnest(
            coalesce(
                from_json(columns, '[{"column": "VARCHAR", "before": "VARCHAR", "after": "VARCHAR"}]'),
                [{'column': null, 'before': null, 'after': null}]
            )
        ) as pair
    from import_row_changes
    where import_id = $import_id
)
order by kept
