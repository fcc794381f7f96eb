-- A table written again in full by the change.
delete from {table}
