-- A checkpoint that rolls back the transactions still open on the store.
force checkpoint
