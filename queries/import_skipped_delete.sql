-- The rows that are no records (import_skipped) out of import_raw: the others keep their
-- rowid, so line numbers stay right.
delete from import_raw
where rowid in (select row_id from import_skipped)
