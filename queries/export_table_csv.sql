-- A store table ({table}, its {columns} in order) as CSV at $output. Text a spreadsheet
-- would run as a formula ($formula) gets a leading apostrophe: in each text column
-- ({text_columns}; their names again as the bound list $text), the rest as stored.
copy (
    select {columns}
    from (
        select
            * exclude ({text_columns}),
            case
                when regexp_matches(columns($text), $formula) then '''' || columns($text)
                else columns($text)
            end
        from {table}
    )
) to $output (format csv, header true)
