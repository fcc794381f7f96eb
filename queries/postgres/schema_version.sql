-- The store schema version the shared store's tables match (0: an empty database).
select coalesce(max(version), 0) as version from schema_version
