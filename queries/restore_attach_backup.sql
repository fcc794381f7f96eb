attach $backup as {source} (read_only)
