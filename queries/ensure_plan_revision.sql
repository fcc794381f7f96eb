insert into plan_revisions (quarter, revision, changed_at)
values ($quarter, 0, $at)
on conflict do nothing
