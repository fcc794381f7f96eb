-- Every change to a quarter's goals bumps the quarter's revision. Two people changing the
-- same quarter's goals at once collide on this row (DuckDB's write-write conflict), so two
-- "does this goal exist yet?" checks cannot both pass; and a sign-off names the revision it
-- agreed to, so any later change outdates it, whatever the clocks say.
create table plan_revisions (
    quarter varchar primary key,
    revision integer not null,
    changed_at timestamp not null
);

insert into plan_revisions
select
    quarter,
    1 as revision,
    max(updated_at) as changed_at
from goals
group by quarter;

alter table plan_signoffs add column revision integer;

-- A sign-off made after the quarter's last goal change agreed to the goals as they are.
update plan_signoffs
set revision = 1
where signed_at >= (
    select max(goals.updated_at)
    from goals
    where goals.quarter = plan_signoffs.quarter
);
