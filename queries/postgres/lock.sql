-- The one write lock of the shared store, held to the end of the writing transaction: writes
-- of every replica run one after another, each on a copy caught up with all before it.
select pg_advisory_xact_lock(7400525251)
