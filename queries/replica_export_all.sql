-- A whole table of the replica's copy as CSV, for the shared store.
copy (select {columns} from {table}) to $path (format csv, header false)
