-- Only the version the editor saw may be replaced: a later save by someone else leaves no
-- row to update (count 0), and the caller refuses the whole change. No RETURNING here:
-- DuckDB 2.0 skips its write-write conflict check for UPDATE ... RETURNING, and the
-- concurrent save it should refuse would silently overwrite this one.
update goals
set
    target = $target,
    version = version + 1,
    updated_by = $actor,
    updated_at = $at
where goal_id = $goal_id
    and version = $expected_version
