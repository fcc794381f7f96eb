insert into audit_log ("at", actor, action, entity, entity_id, before, after)
values ($at, $actor, $action, $entity, $entity_id, $before, $after)
