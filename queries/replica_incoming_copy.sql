copy replica_incoming from $path (
    format csv, header false, delimiter ',', quote '"', escape '"', allow_quoted_nulls false
)
