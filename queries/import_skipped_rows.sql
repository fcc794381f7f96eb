-- import_skipped: the rows of import_raw that are no records, each with its kind and its
-- line ($first_line: the file's line of the first row) and label (its first non-empty cell):
-- empty; the header ($headers, normalised, null where the file's header is empty) repeated
-- in $needed or more of its columns (a report printed in pages; never when $repeatable is
-- false: fewer than two headers); a totals row (the label matches $totals); or the last row,
-- without a first cell and nothing but figures ($figure): a sum someone added below.
create or replace temp table import_skipped as
with rows as (
    select rowid as row_id, list_value(*columns(*)) as raw
    from import_raw
),
cells as (
    select row_id, raw, list_transform(raw, lambda cell: nullif(trim(cell), '')) as cells
    from rows
),
read as (
    select
        row_id,
        cells,
        list_filter(cells, lambda cell: cell is not null)[1] as label,
        -- a cell left empty under a header tells nothing either way: no header row
        case
            when $repeatable and not list_bool_or(list_transform(
                $headers::varchar[], lambda header, i: header is not null and raw[i] is null
            ))
                then list_sum(list_transform(
                    $headers::varchar[],
                    lambda header, i: coalesce((lower(trim(raw[i])) = header)::int, 0)
                ))
        end as header_cells
    from cells
),
kinds as (
    select
        row_id,
        case
            when list_bool_and(list_transform(cells, lambda cell: cell is null)) then 'empty'
            when header_cells >= $needed then 'header'
            when regexp_full_match(label, $totals) then 'totals'
            when row_id = (select max(rowid) from import_raw)
                and cells[1] is null
                and list_bool_and(list_transform(
                    cells, lambda cell: cell is null or regexp_full_match(cell, $figure)
                ))
                then 'trailing'
        end as kind,
        row_id + $first_line as line,
        label
    from read
)
select row_id, kind, line, label
from kinds
where kind is not null
