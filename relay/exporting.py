"""Getting data out: any store table as CSV or Parquet, and the whole store as a backup.

DuckDB writes the files itself, so exporting ten million leads does not pass them through
Python. CSV text that a spreadsheet would run as a formula is written with a leading
apostrophe (as on the pages' downloads); Parquet keeps values exactly as stored.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from relay import report, sql, store

# What can be exported: the store contract's tables and the records kept beside them.
TABLES = ("people", "campaigns", "leads", "deals", "deal_history", "goals",
          "forecast_submissions", "campaign_spend", "audit_log", "plan_signoffs",
          "import_runs", "import_row_changes", "people_placeholders", "stage_mappings",
          "settings", "touches")
FORMATS = ("csv", "parquet")


class ExportError(ValueError):
    """An export that was asked for wrongly: an unknown table or format."""


def table_sizes(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """{table: rows} of every table that can be exported."""
    return {name: int(rows) for name, rows in sql.frame(cursor, "table_sizes").itertuples(
        index=False) if name in TABLES}


def export_table(cursor: duckdb.DuckDBPyConnection, table: str, file_format: str,
                 output: Path) -> int:
    """Write `table` to `output`; returns the number of rows."""
    if file_format not in FORMATS:
        raise ExportError(f"unknown format {file_format!r} (formats: {', '.join(FORMATS)})")
    if table not in TABLES:
        raise ExportError(f"no table {table!r} to export (tables: {', '.join(TABLES)})")
    columns = [(sql.CatalogName(name), data_type)
               for name, data_type in sql.rows(cursor, "export_columns", table=table)]
    names = [name for name, _ in columns]
    text = [name for name, data_type in columns if data_type == "VARCHAR"]
    if file_format == "parquet":
        sql.execute(cursor, "export_table_parquet",
                    identifiers={"table": table, "columns": names}, output=str(output))
    elif text:
        sql.execute(cursor, "export_table_csv",
                    identifiers={"table": table, "columns": names, "text_columns": text},
                    text=sql.names(text), formula=report.FORMULA_PATTERN,
                    output=str(output))
    else:
        sql.execute(cursor, "export_table_csv_no_text",
                    identifiers={"table": table, "columns": names}, output=str(output))
    return sql.scalar(cursor, "count_rows", identifiers={"table": table})


def backup(connection: duckdb.DuckDBPyConnection, output: Path) -> None:
    """A consistent copy of the whole store (every table, view and macro) as a new DuckDB
    file at `output`, taken while the store stays in use."""
    output = Path(output)
    if output.exists():
        raise ExportError(f"{output} already exists; a backup never overwrites a file")
    # Written under a temporary name and renamed when complete: a backup that failed (a full
    # disk) leaves no partial file to be mistaken for a backup or to block a retry.
    partial = output.with_name(output.name + ".partial")
    _remove(partial)
    try:
        with sql.cursor(connection) as cursor:
            database = sql.CatalogName(sql.scalar(cursor, "current_database"))
            backup_name = {"backup": "relay_backup"}
            sql.execute(cursor, "export_backup_attach", identifiers=backup_name,
                        output=str(partial))
            try:
                sql.execute(cursor, "export_backup_copy",
                            identifiers={**backup_name, "database": database})
            finally:
                sql.execute(cursor, "export_backup_detach", identifiers=backup_name)
        if Path(str(partial) + ".wal").exists():
            raise ExportError(f"the backup {output} was not written completely")
        os.replace(partial, output)
    except duckdb.Error as error:
        _remove(partial)
        text = str(error)
        if str(partial) in text or any(marker in text.lower() for marker in store.FULL_MARKERS):
            raise store.StoreError(
                f"The backup could not be written to {output} "
                f"({text.splitlines()[-1].rstrip('. ')}). Nothing was left there; free some "
                f"space (or choose another place) and take the backup again.") from error
        described = store.described_error(connection, error)
        if described is None:
            raise
        raise described from error
    except BaseException:
        _remove(partial)
        raise


def _remove(partial: Path) -> None:
    partial.unlink(missing_ok=True)
    Path(str(partial) + ".wal").unlink(missing_ok=True)
