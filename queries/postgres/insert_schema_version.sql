insert into schema_version (version, description, applied_at)
values (%(version)s, %(description)s, %(applied_at)s)
