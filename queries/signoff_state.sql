-- The latest sign-off of each side for the quarter, and whether a goal changed after it.
with latest as (
    select
        side,
        signed_by,
        signed_at
    from plan_signoffs
    where quarter = $quarter
    qualify row_number() over (partition by side order by signed_at desc) = 1
),

last_change as (
    select max(updated_at) as changed_at
    from goals
    where quarter = $quarter
)

select
    latest.side,
    latest.signed_by,
    latest.signed_at,
    last_change.changed_at,
    last_change.changed_at is null or last_change.changed_at <= latest.signed_at as is_current
from latest
cross join last_change
order by latest.side
