-- The $values commonest values of each kind of problem, with how many rows carry each.
with problems as (
    select
        column_name,
        value,
        regexp_replace(reason, $repeats, ' an earlier line') as kind
    from import_problems
    where value is not null
),

counted as (
    select
        column_name,
        kind,
        value,
        count(*) as n,
        row_number() over (partition by column_name, kind order by count(*) desc, value) as rank
    from problems
    group by column_name, kind, value
)

select column_name, kind, value, n
from counted
where rank <= $values
order by column_name, kind, rank
