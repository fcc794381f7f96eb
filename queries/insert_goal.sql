insert into goals (quarter, metric, region, segment, target, owner_team, updated_by, updated_at)
values ($quarter, $metric, $region, $segment, $target, $owner_team, $actor, $at)
returning
    goal_id
