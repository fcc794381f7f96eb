-- The migrations a store was built by, for the shared store it is loaded into.
select version, description, applied_at from schema_version order by version
