-- The rows of one table of the store, or of an import's temporary tables.
select count(*) from {table}
