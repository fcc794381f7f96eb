-- Imported goals change their quarters' plans like an edit does: a sign-off given before
-- no longer covers them.
insert into plan_revisions (quarter, revision, changed_at)
select distinct
    quarter,
    1 as revision,
    $at as changed_at
from import_changes
where change <> 'unchanged'
on conflict (quarter) do update set
    revision = plan_revisions.revision + 1,
    changed_at = excluded.changed_at
