-- How an import reads a date column's text `v` (trimmed, or null) by each family
-- (relay.dates): the timestamp it holds, null when the family does not read it. The patterns
-- are the callers' bound parameters (relay.dates keeps them), so that the statements that
-- decide a column's family and those that type its values read it alike. Store macros, not
-- temporary ones: every cursor sees them, and a backup carries them.

-- ISO 8601; a value with a time and a UTC offset (`zoned`) is stored as UTC. The regular
-- expression only where an offset may be (the cheap string tests first).
create or replace macro date_iso(v, zoned) as
    case
        when (suffix(v, 'Z') or contains(v, '+') or contains(substr(v, 11), '-'))
            and regexp_matches(v, zoned)
            then timezone('UTC', try_cast(v as timestamptz))
        else try_cast(v as timestamp)
    end;

-- Day and month in one order (M/D/Y or D/M/Y, by the patterns given): a 4-digit year
-- (`year4`) read by `patterns4`, a 2-digit one (`year2`) by `patterns2`.
create or replace macro date_day_month(v, year4, year2, patterns4, patterns2) as
    case
        when regexp_matches(v, year4) then try_strptime(v, patterns4::varchar[])
        when regexp_matches(v, year2) then try_strptime(v, patterns2::varchar[])
    end;

-- An Excel serial number (`serial`: days since 1899-12-30), or an ISO date: a workbook's
-- date cells arrive as ISO text, its plain number cells as serials.
create or replace macro date_excel(v, serial, zoned) as
    case
        when regexp_matches(v, serial)
            then timestamp '1899-12-30'
                + to_microseconds(round(cast(v as double) * 86400000000)::bigint)
        else date_iso(v, zoned)
    end;
