-- Rows that replace stored rows with the same key arrive here first.
create temp table relay_incoming on commit drop as select {columns} from {table} limit 0
