-- Every problem of an import to the CSV file $output; text a spreadsheet would run as a
-- formula ($formula) behind an apostrophe.
copy (
    select
        line,
        case when regexp_matches(column_name, $formula) then '''' || column_name
            else column_name end as "column",
        case when regexp_matches(value, $formula) then '''' || value else value end as value,
        case when regexp_matches(reason, $formula) then '''' || reason else reason end as reason
    from import_problems
    order by line nulls first, column_name
) to $output (format csv, header true)
