-- The rows of a table written by the changes after $after up to $upto, as CSV.
copy (
    select {columns} from {table} where _seq > %(after)s and _seq <= %(upto)s
) to stdout (format csv, force_quote *)
