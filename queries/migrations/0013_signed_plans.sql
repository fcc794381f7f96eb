-- The goals of a quarter as they stood when the plan was signed: one copy per revision
-- signed. A closed quarter's review compares the outcome with the plan as agreed, and a
-- later change is shown against it (goal, from → to), however the goals were edited since.
create table if not exists signed_goals (
    quarter varchar not null,
    revision integer not null,
    metric varchar not null,
    region varchar,
    segment varchar,
    target double not null,
    owner_team varchar not null,
    kept_at timestamp not null
);
