delete from stage_mappings
