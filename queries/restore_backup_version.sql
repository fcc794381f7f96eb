select coalesce(max(version), 0) from {source}.schema_version
