-- "Name <email>": the owner is matched by email first, and a new one keeps it.
update import_typed
set raw_owner_id = case
    when raw_owner_email is null then raw_owner_id
    when raw_owner_id is null or raw_owner_id = raw_owner_email then raw_owner_email
    else raw_owner_id || ' <' || raw_owner_email || '>'
end
