-- No RETURNING: see update_goal_target.sql.
update plan_revisions
set
    revision = revision + 1,
    changed_at = $at
where quarter = $quarter
