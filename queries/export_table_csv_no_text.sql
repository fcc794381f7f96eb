-- A store table ({table}, its {columns} in order) with no text column as CSV at $output:
-- nothing in it a spreadsheet could run as a formula.
copy (select {columns} from {table}) to $output (format csv, header true)
