-- A whole table as CSV, every value quoted so that an empty text is told from a null.
copy (select {columns} from {table}) to stdout (format csv, force_quote *)
