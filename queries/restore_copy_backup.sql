-- The backup's tables, views and macros into the new file (the restore's copy).
copy from database {source} to {database};
detach {source};
checkpoint
