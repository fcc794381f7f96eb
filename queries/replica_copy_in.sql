-- Rows read from the shared store (CSV with every value quoted: "" is an empty text).
copy {table} ({columns}) from $path (
    format csv, header false, delimiter ',', quote '"', escape '"', allow_quoted_nulls false
)
