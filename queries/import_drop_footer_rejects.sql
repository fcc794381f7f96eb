-- A report footer's lines are rows too short for the header: DuckDB rejects them, the last
-- of them on the file's last line. They are no problem of the file.
delete from import_rejects
where line > (select max(line) from import_rejects) - $lines
