insert into schema_version values ($version, $description, $applied_at)
