-- Rows read from the shared store that replace the rows with their keys arrive here first.
create or replace temp table replica_incoming as select {columns} from {table} limit 0
