-- The latest sign-off of each side for the quarter, and whether it agreed to the plan as it
-- is now (the same revision) or to an earlier one.
with latest as (
    select
        side,
        signed_by,
        signed_at,
        revision
    from plan_signoffs
    where quarter = $quarter
    qualify row_number() over (partition by side order by signed_at desc) = 1
)

select
    latest.side,
    latest.signed_by,
    latest.signed_at,
    latest.revision as signed_revision,
    -- A quarter whose goals were never changed through the app has revision 0.
    coalesce(latest.revision = coalesce(plan_revisions.revision, 0), false) as is_current
from latest
left join plan_revisions on plan_revisions.quarter = $quarter
order by latest.side
