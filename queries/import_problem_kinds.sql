-- Each kind of problem an import found: (column, reason), the commonest first, with its
-- count, its first $lines lines and how many distinct values it has. A duplicate's reason
-- ends with the line it repeats ($repeats): one kind for all of them.
with problems as (
    select
        line,
        column_name,
        value,
        regexp_replace(reason, $repeats, ' an earlier line') as kind
    from import_problems
)

select
    column_name,
    kind,
    count(*) as n,
    coalesce((list(line order by line) filter (where line is not null))[1:$lines], []) as lines,
    count(distinct value) as distinct_values
from problems
group by column_name, kind
order by n desc, column_name, kind
