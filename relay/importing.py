"""Importing a CSV or Excel file into one store table: read, check, preview, write.

The file is read by DuckDB's own CSV reader (every value as text) into a temporary table of
the import's cursor; each check is one set-based query over it, so a million rows take
seconds, not minutes. Nothing is written until every row passes: then the whole file goes in
one transaction, upserted on the record's own ID, so importing the same file twice changes
nothing and a later export of the same CRM updates what changed.

The SQL here is composed from the table specs in relay.layouts: column names come only from
those specs (never from the file), and every value, format and file path is a bound
parameter. The file's columns are read as c0, c1, ... so its headers never reach SQL.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from relay import (
    clock,
    dates,
    identity,
    layouts,
    problem_kinds,
    replica,
    settings,
    shapes,
    sql,
    store,
    summaries,
)
from relay.goals import DEFAULT_OWNER_TEAM
from relay.identity import Role
from relay.layouts import Layout, Table

MAX_FILE_BYTES = 1 << 30  # 1 GiB: about 12 million leads as the demo writes them
MAX_PROBLEMS_LISTED = 1_000
PREVIEW_ROWS = 50
# The rows an import changed are kept for the Data page's history, up to this many per import
# (about 3 MB of keys; a million-row import keeps its first 100,000 changes and its counts).
MAX_CHANGES_KEPT = 100_000
MAX_SPREAD_NOTES = 24  # lines saying how spend per channel and month is spread
# DuckDB gives up on a whole file when its sample (the first 20,480 rows) breaks the quoting
# rules; past the sample a broken row is a rejected line, with its number.
QUOTE_SCAN_BYTES = 16 << 20
DELIMITERS = (",", ";", "\t", "|")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx",)
WRITING = "Writing"  # the progress step that starts the write: the last moment to cancel


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, and where: line and column when it is one value."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f" {self.value!r}:"
        return f"{where}:{value} {self.reason}"


@dataclass
class Preview:
    """What an import would do: the counts, every problem, and rows as they will be stored."""

    file_name: str
    file_bytes: int
    table: str
    layout: str
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # column -> header
    unused_headers: list[str] = field(default_factory=list)
    rows_in_file: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    new_people: list[str] = field(default_factory=list)
    # What the reading did to the file's shape: "skipped the 6-line report footer", ...
    notes: list[str] = field(default_factory=list)
    merged_people: list[str] = field(default_factory=list)  # "placeholder → person" lines
    # What the import does beyond the rows: spend spread, costs converted, lead IDs made.
    effects: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    sample: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Imported all the same, but worth a look (a deal closing before it was created...).
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    date_formats: dict[str, str] = field(default_factory=dict)  # header -> how it was read
    ambiguous_dates: list[str] = field(default_factory=list)  # headers D/M and M/D both read
    # Every kind of problem (all of them, not only those listed), the commonest first.
    kinds: list[problem_kinds.ProblemKind] = field(default_factory=list)
    from_table: bool = False  # the problems are in the temporary table import_problems

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def kinds_complete(self) -> bool:
        """Whether `kinds` counts every problem: not so for a file that could not be read
        whole, whose problems past the listed ones are only counted."""
        return self.from_table or self.problem_count == len(self.problems)

    def counts(self) -> dict[str, int]:
        return {"rows_in_file": self.rows_in_file, "inserted": self.inserted,
                "updated": self.updated, "unchanged": self.unchanged,
                "new_people": len(self.new_people), "merged_people": len(self.merged_people),
                "problems": self.problem_count}

    def summary(self) -> str:
        if not self.ok:
            more = (f" (the first {len(self.problems):,} are listed)"
                    if self.problem_count > len(self.problems) else "")
            return (f"{self.file_name}: {self.problem_count:,} problem(s){more}; nothing was "
                    "written.")
        people = f", {len(self.new_people):,} new people" if self.new_people else ""
        warned = (f" {self.warning_count:,} warning(s): imported all the same, worth a look."
                  if self.warning_count else "")
        if self.merged_people:
            people += (f", {len(self.merged_people):,} placeholder people merged into the "
                       "people they are")
        return (f"{self.file_name} → {self.table}: {self.rows_in_file:,} rows: "
                f"{self.inserted:,} new, {self.updated:,} updated, {self.unchanged:,} "
                f"unchanged{people}.{warned}")


@dataclass(frozen=True)
class Source:
    file_name: str
    file_bytes: int
    headers: list[str]
    first_line: int = 2  # the file's line of import_raw's rowid 0 (below the header row)
    delimiter: str | None = None  # a CSV file's; None for a workbook


def _refuse(preview: Preview, reason: str, line: int | None = None,
            column: str | None = None, value: str | None = None) -> Preview:
    preview.problems.append(Problem(preview.file_name, line, column, value, reason))
    preview.problem_count = len(preview.problems)
    return preview


# ---------------------------------------------------------------------------- reading


def _sniff(path: Path, preview: Preview, known: set[str] | frozenset = frozenset()
           ) -> tuple[list[str], str, str | None, int] | None:
    """The header row, delimiter, (when DuckDB must be told) line break of a CSV file and
    how many lines above the header row are titles, after checking it is UTF-8 text with no
    zero byte. The header row is the first of the first lines that matches the `known`
    headers best."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if head.startswith(b"PK\x03\x04"):
        _refuse(preview, "this is a zip archive or an Excel workbook, not a CSV file: "
                         "upload a workbook with the .xlsx extension")
        return None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _refuse(preview, "the file is UTF-16 text; save it as \"CSV UTF-8\" and import again")
        return None
    if b"\x00" in head:
        zero_at = head.index(b"\x00") + 1
        _refuse(preview, f"the file holds binary data (a zero byte at byte {zero_at:,}): "
                         "it is not a CSV text file")
        return None
    bad = _first_non_text(path)
    if bad is not None:
        line, byte = bad
        if byte == 0:
            _refuse(preview, "a zero byte (NUL) in the text: a CSV file cannot hold one; "
                             "remove it (or export the file again) and import again", line=line)
        else:
            _refuse(preview, f"not UTF-8 text (byte 0x{byte:02X}): save the file as "
                             f"\"CSV UTF-8\" and import again", line=line)
        return None
    text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
    titles = 0
    if known:
        candidates = shapes.records(text)
        titles = shapes.header_row([shapes.split(record, max(
            DELIMITERS, key=shapes.outside_quotes(record).count)) for record in candidates], known)
        if titles:
            cut = 0
            for record in candidates[:titles]:  # each title line and its line break
                cut += len(record)
                cut += 2 if text[cut:cut + 2] == "\r\n" else 1
            if any(ch in record for record in candidates[:titles] for ch in "\r\n"):
                titles = 0  # a title with a line break inside quotes: read as before
            else:
                text = text[cut:]
                preview.notes.append(f"skipped {titles} title line(s) above the header row")
    first_line = _first_record(text)
    # Only when the header row holds a line break does DuckDB need to be told the file's.
    ending = text[len(first_line):len(first_line) + 2]
    new_line = None
    if "\r" in first_line or "\n" in first_line:
        new_line = "\\r\\n" if ending == "\r\n" else "\\n" if ending[:1] == "\n" else None
    if not first_line.strip():
        _refuse(preview, "the file is empty" if not text.strip()
                else "the first line is empty: it must be the header row")
        return None
    delimiter = max(DELIMITERS, key=shapes.outside_quotes(first_line).count)
    if shapes.outside_quotes(first_line).count(delimiter) == 0:
        delimiter = ","
    headers = next(csv.reader(io.StringIO(first_line, newline=""), delimiter=delimiter))
    return [" ".join(header.split()) for header in headers], delimiter, new_line, titles


def _first_record(text: str) -> str:
    """The header row: the text up to the first line break outside quotes (a quoted header
    may hold a line break, even a bare CR)."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:index]
    return text


def _first_non_text(path: Path) -> tuple[int, int] | None:
    """(line, byte value) of the first byte that is not UTF-8 text, or of the first zero
    byte (valid UTF-8, but no CSV text holds one): byte 0 then. None when there is neither.
    One pass over the whole file, in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    with path.open("rb") as handle:
        while chunk := handle.read(8 << 20):
            zero = chunk.find(b"\x00")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                if zero == -1 or error.start < zero:
                    return (lines_before + chunk.count(b"\n", 0, error.start) + 1,
                            chunk[error.start])
            if zero != -1:
                return lines_before + chunk.count(b"\n", 0, zero) + 1, 0
            lines_before += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return lines_before + 1, 0xFF
    return None


def _unclosed_quote(path: Path, delimiter: str) -> tuple[int, str] | None:
    """(line, reason) of the first quote that breaks the CSV rules: a quoted value never
    closed, closed and followed by more text, or a quote inside an unquoted value. This is
    what makes DuckDB's reader give up on the whole file ("Error when sniffing file"), without
    a line. Run only when a file could not be read; it looks at the first QUOTE_SCAN_BYTES,
    from quote to quote (a few seconds at most)."""
    with path.open("rb") as handle:
        data = handle.read(QUOTE_SCAN_BYTES)
    ends = (delimiter.encode(), b"\n", b"\r")
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    position = start
    def line(at: int) -> int:  # counted only for the answer: quote to quote stays linear
        return data.count(b"\n", 0, at) + 1

    while (opening := data.find(b'"', position)) != -1:
        if opening != start and data[opening - 1:opening] not in ends:
            return line(opening), ("a quote inside a value that is not quoted: quote the "
                                   "whole value and double the quote (\"\")")
        position = opening + 1
        while True:
            closing = data.find(b'"', position)
            if closing == -1:
                return line(opening), "a quoted value that is never closed (a missing \")"
            after = data[closing + 1:closing + 2]
            if after == b'"':
                position = closing + 2
                continue
            if after and after not in ends:
                return line(opening), ("a quoted value that is closed and then followed by "
                                       f"more text on line {line(closing)} (a missing or "
                                       "stray \"?)")
            position = closing + 1
            break
    return None


def read(cursor: duckdb.DuckDBPyConnection, path: Path, preview: Preview,
         known: set[str] | frozenset = frozenset()) -> Source | None:
    """Load the file into the temporary table import_raw (columns c0..cN, all text, in file
    order) and return its headers; None with the problems in `preview` when it cannot be
    read. `known`: the headers (lower case) the table's layouts know, to find the header
    row below title rows. Report footers, repeated header rows, totals rows and empty rows
    are left out, each said in preview.notes."""
    path = Path(path)
    size = path.stat().st_size
    preview.file_bytes = size
    if size == 0:
        _refuse(preview, "the file is empty")
        return None
    if size > MAX_FILE_BYTES:
        _refuse(preview, f"the file is {size / 2**30:.1f} GiB; an import takes at most "
                         f"{MAX_FILE_BYTES / 2**30:.0f} GiB: split it (e.g. by created date) "
                         "and import the parts")
        return None
    suffix = Path(preview.file_name).suffix.lower()
    first_line, delimiter = 2, None
    if suffix in EXCEL_SUFFIXES:
        headers = _read_excel(cursor, path, preview, known)
        if headers is not None:
            headers, first_line = headers
    elif suffix in TEXT_SUFFIXES or not suffix:
        headers = _read_csv(cursor, path, preview, known)
        if headers is not None:
            headers, first_line, delimiter = headers
    else:
        _refuse(preview, f"{suffix} files cannot be imported: use CSV (.csv) or Excel (.xlsx)")
        return None
    if headers is None:
        return None
    seen: dict[str, int] = {}
    for number, header in enumerate(headers, start=1):
        if not header:
            _refuse(preview, f"column {number} has no header", line=1)
        elif header.lower() in seen:
            _refuse(preview, f"the header appears twice (columns {seen[header.lower()]} and "
                             f"{number})", line=1, column=header)
        else:
            seen[header.lower()] = number
    if not preview.problems:
        shapes.skip_rows(cursor, headers, first_line, preview.notes)
    preview.rows_in_file = sql.scalar(cursor, "count_rows", identifiers={"table": "import_raw"})
    if not preview.problems and preview.rows_in_file == 0:
        _refuse(preview, "the file has a header but no rows")
    return None if preview.problems else Source(preview.file_name, size, headers, first_line,
                                                delimiter)


def _read_csv(cursor, path: Path, preview: Preview, known: set[str] | frozenset = frozenset()
              ) -> tuple[list[str], int, str] | None:
    """(headers, line of the first row, delimiter), the rows in import_raw."""
    sniffed = _sniff(path, preview, known)
    if sniffed is None:
        return None
    headers, delimiter, new_line, titles = sniffed
    names = [f"c{index}" for index in range(len(headers))]
    # DuckDB takes a line break inside the quoted header (even a bare CR) for the end of the
    # line, unless told which one ends the header row.
    options = ", new_line = $new_line" if new_line else ""
    if titles:
        options += ", skip = $skip"
    try:
        # Composed here, not in queries/: the options the file needs (relay.sql says why).
        cursor.execute(
            "create or replace temp table import_raw as select * from read_csv("
            "$path, header = true, all_varchar = true, delim = $delim, quote = '\"', "
            "escape = '\"', names = $names::varchar[], store_rejects = true, "
            "rejects_table = 'import_rejects', rejects_scan = 'import_scans', "
            f"max_line_size = 4194304{options})",
            {"path": str(path), "delim": delimiter, "names": names,
             **({"new_line": new_line} if new_line else {}),
             **({"skip": int(titles)} if titles else {})})
    except duckdb.Error as error:
        found = _unclosed_quote(path, delimiter)
        if found is not None:
            _refuse(preview, found[1], line=found[0])
        else:
            # DuckDB names the file by its path on this server: the user knows it by name.
            detail = str(error).splitlines()[0].replace(str(path), preview.file_name)
            _refuse(preview, f"the file cannot be read as CSV: {detail}")
        return None
    footer = shapes.footer_lines(path, delimiter)
    if footer:
        # The footer's lines are rows too short for the header: DuckDB rejects them, the
        # last of them on the file's last line.
        sql.execute(cursor, "import_drop_footer_rejects", lines=len(footer))
        named = next((line for line in footer if line), "")
        preview.notes.append(f"skipped the {len(footer)}-line report footer ({named!r} …)")
    rejects = sql.rows(cursor, "import_rejects_listed", limit=MAX_PROBLEMS_LISTED)
    for line, column, error_type, message in rejects:
        header = headers[int(column[1:])] if column and column[1:].isdigit() else None
        reason = {"TOO MANY COLUMNS": "more values than the header has columns",
                  "MISSING COLUMNS": "fewer values than the header has columns",
                  "UNQUOTED VALUE": "a quote inside a value that is not quoted",
                  }.get(error_type, message)
        if "unterminated quote" in (message or ""):
            reason = "a quoted value that is never closed (a missing \")"
        if error_type in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
            reason += (f" ({len(headers)} columns split by {delimiter!r}; a different "
                       "delimiter in this row?)")
        _refuse(preview, reason, line=int(line), column=header)
    if rejects:
        preview.problem_count = sql.scalar(cursor, "count_rows",
                                           identifiers={"table": "import_rejects"})
    return headers, 2 + titles, delimiter


def _read_excel(cursor, path: Path, preview: Preview, known: set[str] | frozenset = frozenset()
                ) -> tuple[list[str], int] | None:
    """(headers, line of the first row), the rows in import_raw. The header row is the one
    among the first rows matching the `known` headers best; a report footer is left out."""
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=str, engine="openpyxl")
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        detail = str(error).replace(str(path), preview.file_name)  # never the server's path
        _refuse(preview, f"the file cannot be read as an Excel workbook (.xlsx): {detail}")
        return None
    if sheet.empty:
        _refuse(preview, "the workbook's first sheet is empty")
        return None
    cells = [["" if pd.isna(value) else str(value).strip() for value in row]
             for row in sheet.head(shapes.HEADER_SCAN_ROWS).itertuples(index=False)]
    at = shapes.header_row(cells, known) if known else 0
    if at:
        preview.notes.append(f"skipped {at} title row(s) above the header row")
    tail = [["" if pd.isna(value) else str(value).strip() for value in row]
            for row in sheet.tail(12).itertuples(index=False)]
    footer = shapes.footer_rows(tail)
    if footer:
        sheet = sheet.iloc[:len(sheet) - footer]
        preview.notes.append(f"skipped the {footer}-row report footer")
    headers = [" ".join(value.split()) for value in cells[at]]
    rows = sheet.iloc[at + 1:].copy()
    rows.columns = [f"c{index}" for index in range(len(headers))]
    rows = rows.astype(object).where(rows.notna(), None)
    cursor.register("import_sheet", rows)
    try:
        sql.execute(cursor, "import_raw_from_sheet")
    finally:
        cursor.unregister("import_sheet")
    return headers, at + 2


# ---------------------------------------------------------------------------- checking


class _Query:
    """A statement being composed, with its bound parameters."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"


def _typed_expression(column: layouts.Column, raw: str, query: _Query,
                      date_family: str | None, convention: str | None = None) -> str:
    """SQL that turns the column's trimmed text `raw` into its stored value (null when it
    is not one: the checks then report it)."""
    kind = column.kind
    if kind in ("id", "text", "owner", "person", "campaign", "lead", "stage", "identity"):
        return raw
    if kind in ("timestamp", "date"):
        moment = dates.expression(date_family or "iso", raw, query.bind)
        return moment if kind == "timestamp" else f"({moment})::date"
    if kind == "amount":  # the column's convention: 1,054.00 or 1.054,00 (shapes)
        return f"try_cast({shapes.amount_text(raw, convention)} as decimal(18, 2))"
    if kind == "count":
        return f"try_cast({raw} as integer)"
    if kind == "number":
        return f"try_cast({shapes.amount_text(raw, convention)} as double)"
    # "Best Case" and "best-case" are best_case.
    normalised = f"lower(regexp_replace({raw}, '[\\s\\-]+', '_', 'g'))"
    if kind == "choice":
        return (f"case when list_contains({query.bind(list(column.choices))}::varchar[], "
                f"{normalised}) then {normalised} end")
    if kind == "name":
        return (f"case when regexp_full_match({normalised}, '[a-z][a-z0-9_]*') "
                f"then {normalised} end")
    if kind == "month":
        return f"strftime(try_cast({raw} || '-01' as date), '%Y-%m')"
    if kind == "quarter":
        return (f"case when regexp_full_match(upper({raw}), '\\d{{4}}-Q[1-4]') "
                f"then upper({raw}) end")
    raise AssertionError(f"unknown column kind {kind}")


_EXPECTED = {
    "timestamp": "a date and time",
    "date": "a date",
    "amount": "an amount (e.g. 12500.00, 12,500.00 or 12.500,00: the column's amounts all "
              "written one way)",
    "count": "a whole number",
    "number": "a number (e.g. 1250000 or 0.25)",
    "quarter": "a fiscal quarter such as 2026-Q3",
    "month": "a month such as 2026-03 (YYYY-MM)",
    "name": "a name of letters, digits and underscores, e.g. win_rate",
}


def _reason(column: layouts.Column, date_family: str | None) -> str:
    if column.kind in ("timestamp", "date"):
        return f"not {_EXPECTED[column.kind]} (expected {dates.label(date_family or 'iso')})"
    if column.kind == "choice":
        return f"not one of: {', '.join(column.choices)}"
    return f"not {_EXPECTED[column.kind]}"


def check(cursor: duckdb.DuckDBPyConnection, source: Source, table: Table, layout: Layout,
          preview: Preview, date_format: str | None = None) -> Preview:
    """Type every value, resolve references and list every problem; leaves the rows as they
    would be stored, with what each does (new / updated / unchanged), in import_changes."""
    found = layout.source_for(source.headers)
    preview.headers = source.headers
    preview.mapping = {column: source.headers[index] for column, index in found.items()}
    used = set(found.values())
    preview.unused_headers = [header for index, header in enumerate(source.headers)
                              if index not in used]
    missing = layouts.missing_required(table, found)
    if missing:
        wanted = [f"{name} (headed {' or '.join(repr(h) for h in layout.columns[name])})"
                  if name in layout.columns else name for name in missing]
        _refuse(preview, f"no column for {'; '.join(wanted)} in the {layout.label} layout; "
                         f"the file's headers are: {', '.join(source.headers)}", line=1)
        return preview

    families = _date_families(cursor, table, found, preview, date_format, layout.date_format)
    if families is None:
        return preview
    doubts = list(preview.problems)  # date columns read both ways: with the others below
    typed = _Query()
    selects = [f"rowid + {int(source.first_line)} as line"]
    conventions, column_problems = shapes.amount_conventions(
        cursor, {column.name: (found[column.name], preview.mapping[column.name])
                 for column in table.columns
                 if column.kind in ("amount", "number") and column.name in found},
        source.delimiter, preview.notes, settings.load(cursor).currency)
    for column in table.columns:
        if column.name not in found:
            continue
        raw = f"nullif(trim(c{found[column.name]}), '')"
        selects.append(f"{raw} as raw_{column.name}")
        typed_value = _typed_expression(column, raw, typed, families.get(column.name),
                                        conventions.get(column.name))
        selects.append(f"{typed_value} as {column.name}")
    # Composed here, not in queries/: a typed expression per column (relay.sql says why).
    cursor.execute(f"create or replace temp table import_typed as select {', '.join(selects)} "
                   "from import_raw", typed.params)
    # Each step's table replaces the one before: at most two copies of the file at a time.
    sql.execute(cursor, "drop_table", identifiers={"table": "import_raw"})
    if table.name == "leads" and "lead_id" not in found:
        _make_lead_ids(cursor, found, preview)
    if "owner_email" in found and "owner_id" in found:
        sql.execute(cursor, "import_owner_with_email")

    _resolve_people(cursor, table, found)
    sql.execute(cursor, "import_problems_create")
    for column in table.columns:
        if column.name not in found:
            continue
        names = {"raw": f"raw_{column.name}", "column": column.name}

        def check(name: str, reason: str, header: str = preview.mapping[column.name],
                  names: dict[str, str] = names) -> None:
            _check(cursor, name, names, column_name=header, reason=reason)

        if column.required:
            check("missing", "missing: every row needs a value here")
        if column.kind in _EXPECTED or column.kind == "choice":
            check("unreadable", _reason(column, families.get(column.name)))
        if column.kind in ("amount", "count", "number"):
            check("negative", "negative: must be zero or more")
        if column.kind in ("owner", "person"):
            check("person_ambiguous",
                  "matches more than one person by name: use their person_id or email "
                  "(e.g. 'Ann Rep <ann@example.com>', or an owner email column) in this file, "
                  "and give the people file their emails")
        if column.kind == "person":
            check("person_unknown",
                  "no such person (give a person_id, email or name of someone in the store)")
        if column.kind == "campaign":
            check("campaign_unknown", "no campaign with this ID: import the campaigns first")
        if column.kind == "lead":
            check("lead_unknown", "no lead with this ID: import the leads first")
        if column.kind == "stage":
            check("stage_unknown",
                  "unknown stage: add it to the stage mapping (the Data page, or `python -m "
                  "relay stages set`)")
    _table_checks(cursor, table, found)
    # Problems of a whole column (an amount style or a date order read two ways): no line.
    for header, value, reason in [
            *((header, None, reason) for header, reason in column_problems),
            *((doubt.column, doubt.value, doubt.reason) for doubt in doubts)]:
        _check(cursor, "column", column_name=header, value=value, reason=reason)
    if table.name == "campaign_spend":
        _spend_checks(cursor, found, preview)
    if table.name == "people":
        _ambiguous_merge_check(cursor, preview)
    _duplicate_check(cursor, table, found, preview)
    preview.problem_count, preview.problems = _listed(cursor, "import_problems",
                                                      preview.file_name)
    if not preview.ok:
        preview.kinds = problem_kinds.summarise(cursor)
        preview.from_table = True
        return preview
    _date_warnings(cursor, table, found, preview)
    _stage(cursor, table, found)
    sql.execute(cursor, "drop_table", identifiers={"table": "import_typed"})
    _classify(cursor, table, found, preview)
    # import_changes has every row, with what it does
    sql.execute(cursor, "drop_table", identifiers={"table": "import_staged"})
    return preview


def _date_families(cursor, table: Table, found: dict[str, int], preview: Preview,
                   date_format: str | None, saved_order: str = "iso") -> dict[str, str] | None:
    """{column: how its dates are read}, decided from every value of the file; None (and the
    problem in `preview`) when the format the user gave is not one. A column that reads as
    both D/M/Y and M/D/Y is a problem in `preview` (and is checked as D/M/Y, so that the
    file's other problems are listed in the same run)."""
    wrong = dates.check_given(cursor, date_format)
    if wrong is not None:
        return _refuse(preview, wrong) and None
    raws = {column.name: f"c{found[column.name]}"
            for column in table.columns
            if column.kind in ("date", "timestamp") and column.name in found}
    # A mapping saved with US or European dates settles what the file leaves open.
    preferred = {"us": "mdy", "eu": "dmy"}.get(saved_order)
    families, ambiguous = dates.decide(cursor, raws, date_format, preferred)
    for doubt in ambiguous:
        header = preview.mapping[doubt.column]
        _refuse(preview, doubt.reason(), column=header)
        preview.ambiguous_dates.append(header)
        families[doubt.column] = "dmy"
    preview.date_formats = {preview.mapping[name]: dates.label(family)
                            for name, family in families.items()
                            if name not in {doubt.column for doubt in ambiguous}}
    return families


def _date_warnings(cursor, table: Table, found: dict[str, int], preview: Preview) -> None:
    """preview.warnings: dates out of order across columns, with the stored values of a
    record the file updates for the columns the file lacks. Listed, not refused (README)."""
    pairs = dates.ORDER.get(table.name, ())
    query = _Query()
    checks = []
    for later, earlier, reason in pairs:
        names = [later, *earlier]
        if not any(name in found for name in names):
            continue

        # A date against a timestamp: compared by day.
        kind = "date" if any(table.column(name).kind == "date" for name in names) else (
            "timestamp")

        def value(name: str, kind: str = kind) -> str:
            return f"cast({'import_typed' if name in found else 'stored'}.{name} as {kind})"

        before = (f"coalesce({', '.join(value(name) for name in earlier)})"
                  if len(earlier) > 1 else value(earlier[0]))
        header = preview.mapping.get(later, later)
        checks.append(
            f"select line, {query.bind(header)} as column_name, "
            f"strftime({value(later)}, '%Y-%m-%d %H:%M') as value, "
            f"{query.bind(reason)} || ' (' || strftime({before}, '%Y-%m-%d %H:%M') || ')' "
            f"as reason from import_typed left join {table.name} as stored on "
            f"stored.{table.key[0]} = import_typed.{table.key[0]} "
            f"where {value(later)} < {before}")
    if not checks:
        return
    # The one check still composed here (relay.sql names it): each pair compares with the
    # first known of one to three earlier dates, each from the file or the stored record.
    cursor.execute("create or replace temp table import_warnings as "
                   + " union all ".join(checks), query.params)
    preview.warning_count, preview.warnings = _listed(cursor, "import_warnings",
                                                      preview.file_name)
    sql.execute(cursor, "drop_table", identifiers={"table": "import_warnings"})


def _listed(cursor, table_name: str, file_name: str) -> tuple[int, list[Problem]]:
    """How many problems (or warnings) the temporary table `table_name` (import_problems or
    import_warnings) holds, and the first MAX_PROBLEMS_LISTED, those of a whole column (no
    line) first."""
    count = sql.scalar(cursor, "count_rows", identifiers={"table": table_name})
    listed = sql.rows(cursor, "import_gathered_listed", identifiers={"table": table_name},
                      limit=MAX_PROBLEMS_LISTED)
    return count, [Problem(file_name, line, column, value, reason)
                   for line, column, value, reason in listed]


def _check(cursor: duckdb.DuckDBPyConnection, name: str,
           identifiers: sql.Identifiers | None = None, /, **params: Any) -> None:
    """Put what one check (queries/import_check_<name>.sql) finds into import_problems."""
    sql.execute(cursor, f"import_check_{name}", identifiers=identifiers, **params)


def _table_checks(cursor: duckdb.DuckDBPyConnection, table: Table,
                  found: dict[str, int]) -> None:
    """Checks that involve more than one column."""
    if table.name == "campaigns":
        _check(cursor, "campaign_ends_before_start", column_name="end_date",
               reason="ends before it starts (end_date < start_date)")
    if table.name == "forecast_submissions":
        _check(cursor, "best_case_below_commit", column_name="best_case_amount",
               reason="best case is below commit")
    if table.name == "deals" and "crm_stage" not in found:
        for column in ("status", "forecast_category"):
            _check(cursor, "deal_without_stage", {"raw": f"raw_{column}"}, column_name=column,
                   reason=f"missing: without a stage column, every deal needs its {column}")


def _spend_checks(cursor: duckdb.DuckDBPyConnection, found: dict[str, int],
                  preview: Preview) -> None:
    """Spend per channel and month: in a currency the store can convert, and for a month
    some campaign of the channel runs in (else it has nowhere to go)."""
    config = settings.load(cursor)
    rates = {**settings.parse_rates(config.fx_rates), config.currency.upper(): 1.0}
    sql.execute(cursor, "import_store_currency", currency=config.currency.upper())
    sql.execute(cursor, "import_rates", codes=list(rates), rates=list(rates.values()))
    sql.execute(cursor, "import_spend_source_from_file")
    sql.execute(cursor, "import_spend_shares")
    if "currency" in found:
        _check(cursor, "spend_currency", column_name=preview.mapping["currency"], reason=(
            f", but the store counts in {config.currency.upper()} and has no rate for it: set "
            f"the fx_rates setting (e.g. relay setting fx_rates \"EUR=1.08\": one EUR in "
            f"{config.currency.upper()}; or on the Data page's Settings), or convert the file"))
    _check(cursor, "spend_nowhere", column_name=preview.mapping["channel"],
           reason=": the spend has nowhere to go (import the campaigns first, or check their "
                  "channel and dates)")


def _spread_notes(cursor: duckdb.DuckDBPyConnection, found: dict[str, int],
                  preview: Preview) -> None:
    """Say how each month's spend will be spread (and converted)."""
    currency = sql.scalar(cursor, "import_currency")
    if "currency" in found:
        for code, rate in sql.rows(cursor, "import_conversions", store=currency):
            preview.effects.append(f"Costs in {code} converted at {rate:g} {currency} per "
                                 f"{code} (the fx_rates setting).")
    sql.execute(cursor, "import_spend_source_from_changes")
    sql.execute(cursor, "import_spend_shares")
    spreads = sql.rows(cursor, "import_spreads")
    for channel, month, spend, campaigns, days, total in spreads[:MAX_SPREAD_NOTES]:
        each = ", ".join(map(str, days))
        preview.effects.append(f"{spend:,.2f} {currency} of {channel} in {month} spread over "
                             f"{campaigns} campaign{'s' if campaigns != 1 else ''} by their "
                             f"days ({each} of {total}).")
    if len(spreads) > MAX_SPREAD_NOTES:
        preview.effects.append(f"… and {len(spreads) - MAX_SPREAD_NOTES:,} more months spread "
                             "the same way.")


def _spread_spend(cursor: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """Spread the stored spend of every channel this file names over its campaigns: each
    campaign's actual cost becomes the sum of its shares (versioned as an edit would)."""
    sql.execute(cursor, "import_spend_source_stored")
    sql.execute(cursor, "import_spend_shares")
    sql.execute(cursor, "import_cost_changes")
    sql.execute(cursor, "import_write_costs", **params)


GENERATED_ID = "lead_id (made from the row)"
LEAD_ID_PARTS = ("email", "created_at", "source", "campaign_id")


def _make_lead_ids(cursor: duckdb.DuckDBPyConnection, found: dict[str, int],
                   preview: Preview) -> None:
    """A leads file without IDs: each lead's ID is a hash of its email, created date, source
    and campaign (those the file has), so the same file imported again makes the same IDs,
    and a later export of the same leads updates them."""
    parts = [("strftime(created_at, '%Y-%m-%d %H:%M:%S')" if name == "created_at" else
              f"lower(raw_{name})" if name == "email" else f"raw_{name}")
             for name in LEAD_ID_PARTS if name in found]
    made = ("'lead-' || substr(md5(concat_ws('|', "
            + ", ".join(f"coalesce({part}, '')" for part in parts) + ")), 1, 16)")
    sql.execute(cursor, "import_lead_id_columns")
    # Composed here, not in queries/: the parts the file has (relay.sql says why).
    cursor.execute(f"update import_typed set raw_lead_id = {made}")
    sql.execute(cursor, "import_lead_id_from_raw")
    found["lead_id"] = -1
    preview.mapping["lead_id"] = GENERATED_ID
    used = [name for name in LEAD_ID_PARTS if name in found]
    preview.effects.append(f"No lead_id column: each lead's ID is made from its "
                         f"{', '.join(used)}, so importing the same file again finds the "
                         "same leads.")


def _ambiguous_merge_check(cursor: duckdb.DuckDBPyConnection, preview: Preview) -> None:
    """A placeholder person (an owner an earlier import did not know) that more than one
    person of this people file matches, by name with no email to tell them apart."""
    _check(cursor, "ambiguous_merge", column_name=preview.mapping["name"],
           way_out=", a person an earlier import created for an unknown owner, and nothing "
                   "tells which of them it is: give the row of the one who owns its records "
                   "the person_id ",
           after=" (and in the owner files, give these people's emails or person_ids instead "
                 "of the name)")


def _duplicate_check(cursor: duckdb.DuckDBPyConnection, table: Table, found: dict[str, int],
                     preview: Preview) -> None:
    key = [column for column in table.key if column in found]
    if preview.mapping.get(table.key[0]) == GENERATED_ID:
        column = table.key[0]
        same = ", ".join(name for name in LEAD_ID_PARTS if name in found)
        reason = (f"no lead ID, and the same {same} as line ")
    elif len(table.key) == 1:
        column, reason = table.key[0], "duplicate ID: also on line "
    else:
        column = table.key[0]
        reason = f"duplicate row: same {', '.join(table.key)} as line "
    _check(cursor, "duplicate", {"key": key, "raw": f"raw_{column}"},
           column_name=preview.mapping.get(column, column), reason=reason)


def _person_column(table: Table, found: dict[str, int]) -> layouts.Column | None:
    """The file's column that names a person (owner, manager, submitter), if it has one."""
    return next((column for column in table.columns
                 if column.kind in ("owner", "person") and column.name in found), None)


def _resolve_people(cursor, table: Table, found: dict[str, int]) -> None:
    """import_people: for each person named in the file, the person_id it matches, how many
    people it matches, and for an unknown owner the person that will be created."""
    column = _person_column(table, found)
    if column is None:
        sql.execute(cursor, "import_people_wanted_none")
    else:
        sql.execute(cursor, "import_people_wanted",
                    identifiers={"column": f"raw_{column.name}"})
    sql.execute(cursor, "import_people_in_file_create")
    # A people file may name managers who are in the same file.
    if table.name == "people":
        sql.execute(cursor, "import_people_in_file_from_file", identifiers={"columns": [
            name for name in ("person_id", "email", "name", "region", "segment")
            if name in ("person_id", "name") or name in found]})
        sql.execute(cursor, "import_people_merges")
    else:
        sql.execute(cursor, "import_merges_none")
    creates = column is not None and column.kind == "owner"
    sql.execute(cursor, "import_people", team=table.new_person_team, creates=creates)


def _stage(cursor, table: Table, found: dict[str, int]) -> None:
    """import_staged: the rows exactly as they will be stored."""
    selects = ["line"]
    for name in _written(table, found):
        selects.append(_staged_expression(table, name, found) + f" as {name}")
    joins = ""
    person = _person_column(table, found)
    if person is not None:
        joins += (f" left join import_people as person on person.value = "
                  f"import_typed.raw_{person.name}")
    if "crm_stage" in found:
        joins += (" left join stage_mappings as stage on stage.stage = "
                  "lower(import_typed.crm_stage)")
    if table.name == "goals":
        joins += f" left join goals as stored on {_key_join(table, 'import_typed')}"
    if table.name == "campaign_spend" and "currency" in found:
        joins += (" left join import_rates as rate on rate.currency = coalesce("
                  "upper(import_typed.currency), (select currency from import_store_currency))")
    # Composed here, not in queries/: a stored value per column (relay.sql says why).
    cursor.execute(f"create or replace temp table import_staged as select {', '.join(selects)}"
                   f" from import_typed{joins}")


def _written(table: Table, found: dict[str, int]) -> list[str]:
    """The stored columns this import sets: those the file has, and those derived from
    them."""
    written = [name for name in table.stored_columns if name in found]
    if table.name == "deals":
        if "crm_stage" in found:
            written += [name for name in ("status", "forecast_category") if name not in written]
        if "owner_id" in found:
            written += [name for name in ("region", "segment") if name not in written]
    if table.name == "goals" and "owner_team" not in written:
        written.append("owner_team")
    return [name for name in table.stored_columns if name in written]


def _staged_expression(table: Table, name: str, found: dict[str, int]) -> str:
    column = table.column(name)
    if column.kind in ("owner", "person"):
        return "person.person_id"
    if table.name == "deals" and name in ("status", "forecast_category") and "crm_stage" in found:
        return f"coalesce(import_typed.{name}, stage.{name})" if name in found else f"stage.{name}"
    if table.name == "deals" and name in ("region", "segment") and "owner_id" in found:
        return (f"coalesce(import_typed.{name}, person.{name})" if name in found
                else f"person.{name}")
    if table.name == "campaign_spend" and "currency" in found:
        if name == "spend":
            return "round(import_typed.spend * rate.rate, 2)::decimal(18, 2)"
        if name == "currency":
            return "upper(import_typed.currency)"
    if table.name == "goals" and name == "owner_team":
        default = "case import_typed.metric " + " ".join(
            f"when '{metric}' then '{team}'"
            for metric, team in DEFAULT_OWNER_TEAM.items()) + " end"
        given = "import_typed.owner_team, " if name in found else ""
        return f"coalesce({given}stored.owner_team, {default})"
    return f"import_typed.{name}"


def _key_join(table: Table, rows: str) -> str:
    """Matches the stored row (`stored`) with the same key as a row of `rows`; a null region
    or segment (company-wide goal) matches null."""
    return " and ".join(f"stored.{key} is not distinct from {rows}.{key}"
                        if key in ("region", "segment") else
                        f"stored.{key} = {rows}.{key}" for key in table.key)


def _classify(cursor, table: Table, found: dict[str, int], preview: Preview) -> None:
    written = _written(table, found)
    compared = [name for name in written if name not in table.key]
    changed = " or ".join(f"stored.{name} is distinct from import_staged.{name}"
                          for name in compared) or "false"
    # Composed here, not in queries/: a comparison per column (relay.sql says why).
    cursor.execute(
        f"create or replace temp table import_changes as select import_staged.*, "
        f"case when stored.{table.key[0]} is null then 'new' when {changed} then 'updated' "
        f"else 'unchanged' end as change from import_staged "
        f"left join {table.name} as stored on {_key_join(table, 'import_staged')}")
    counts = dict(sql.rows(cursor, "import_changes_by_kind"))
    preview.inserted = counts.get("new", 0)
    preview.updated = counts.get("updated", 0)
    preview.unchanged = counts.get("unchanged", 0)
    preview.new_people = [name for (name,) in sql.rows(cursor, "import_new_people")]
    preview.merged_people = [
        f"{name} ({placeholder} → {person}, by {way})"
        for placeholder, name, person, way in sql.rows(cursor, "import_merges_listed")]
    preview.sample = sql.frame(cursor, "import_sample", identifiers={"columns": written},
                               limit=PREVIEW_ROWS)
    if table.name == "campaign_spend":
        _spread_notes(cursor, found, preview)


# ---------------------------------------------------------------------------- writing


def _write(cursor: duckdb.DuckDBPyConnection, table: Table, preview: Preview, actor: str,
           at: dt.datetime) -> None:
    """Write what `check` staged. The caller holds the transaction: all of it or nothing."""
    found = {column: 0 for column in preview.mapping}
    written = _written(table, found)
    params = {"actor": actor, "at": at}
    counted_leads = _take_out_counts(cursor, table, written)
    _note_changes(cursor, table, written)
    sql.execute(cursor, "import_write_people")
    if table.name == "deals":
        sql.execute(cursor, "import_deal_history_before")
        sql.execute(cursor, "import_deal_history_after", at=at)
    versioned = table.name in ("campaigns", "goals")
    updates = [f"{name} = import_changes.{name}" for name in written if name not in table.key]
    if versioned:
        updates += ["version = coalesce(stored.version, 1) + 1", "updated_by = $actor",
                    "updated_at = $at"]
    if updates:
        # Composed here, not in queries/: an assignment per column (relay.sql says why).
        cursor.execute(
            f"update {table.name} as stored set {', '.join(updates)} from import_changes "
            f"where import_changes.change = 'updated' and "
            f"{_key_join(table, 'import_changes')}", params
            if versioned else {})
    if versioned:
        sql.execute(cursor, "import_insert_new_versioned",
                    identifiers={"table": table.name, "columns": written}, **params)
    else:
        sql.execute(cursor, "import_insert_new",
                    identifiers={"table": table.name, "columns": written})
    if table.name == "goals":
        sql.execute(cursor, "import_goal_revisions", at=at)
    if table.name == "campaign_spend":
        # Spend changes the campaigns' costs, never their channels: what the leads count in
        # the summaries stays as it is (a rebuild of the rep strengths' months: 2 s at 10M).
        with summaries.recounted(cursor, ["campaigns"], lead_ids=[]):
            _spread_spend(cursor, params)
    touched = {table.name, "deal_history"} if table.name == "deals" else {table.name}
    if table.name == "people":
        touched |= _merge_placeholders(cursor, actor, at)
    sql.record_written(touched)
    # An import of deals changes only the deals it lists, one of leads or touches only the
    # leads it lists: the summaries refresh what those touch.
    changed_deals = ([deal_id for (deal_id,) in sql.rows(cursor, "import_changed_deal_ids")]
                     if table.name == "deals" else None)
    changed_leads = ([lead_id for (lead_id,) in sql.rows(cursor, "import_changed_lead_ids")]
                     if table.name in ("leads", "touches") else None)
    summaries.refresh(cursor, touched, deal_ids=changed_deals, lead_ids=changed_leads,
                      counted_leads=counted_leads)


def _take_out_counts(cursor: duckdb.DuckDBPyConnection, table: Table,
                     written: list[str]) -> list[str] | None:
    """Before an import of leads, deals or campaigns writes: what the leads it can change
    count in the summaries kept by lead (summaries.take_out), to be added back as they count
    after it. An import of leads changes its own leads; one of deals the leads of its deals,
    as stored and as the file has them; one of campaigns the leads of the campaigns whose
    channel it changes."""
    if table.name == "leads":
        leads = {lead_id for (lead_id,) in sql.rows(cursor, "import_changed_lead_ids")}
    elif table.name == "deals":
        leads = {lead_id for (lead_id,) in sql.rows(cursor, "import_deals_stored_lead_ids")}
        if "lead_id" in written:
            leads |= {lead_id for (lead_id,) in sql.rows(cursor, "import_changed_lead_ids")}
    elif table.name == "campaigns":
        leads = ({lead_id for (lead_id,) in sql.rows(cursor,
                                                     "import_campaigns_rechanneled_lead_ids")}
                 if "channel" in written else set())
    else:
        return None
    return summaries.take_out(cursor, {lead_id for lead_id in leads if lead_id is not None},
                              {table.name})


# Every table that names a person, as the placeholder merge moves them.
PERSON_REFERENCES = {"deals": "owner_id", "leads": "owner_id", "campaigns": "owner_id",
                     "people": "manager_id", "forecast_submissions": "person_id"}


def _merge_placeholders(cursor: duckdb.DuckDBPyConnection, actor: str,
                        at: dt.datetime) -> set[str]:
    """Merge each placeholder this people import matched into its person (audited, one
    entry each); returns the tables whose person references moved."""
    merges = sql.rows(cursor, "import_merges_listed")
    if not merges:
        sql.execute(cursor, "import_merge_people")  # the file's people are no placeholders
        return set()
    moved: dict[str, dict[str, int]] = {}
    for table, column in PERSON_REFERENCES.items():
        for placeholder, count in sql.rows(cursor, "import_placeholder_references",
                                           identifiers={"table": table, "column": column}):
            moved.setdefault(placeholder, {})[table] = count
    sql.execute(cursor, "import_merge_campaigns", actor=actor, at=at)
    sql.execute(cursor, "import_merge_people")
    for placeholder, name, person, way in merges:
        sql.execute(cursor, "insert_audit", at=at, actor=actor, action="people.merge",
                    entity="people", entity_id=person,
                    before=json.dumps({"person_id": placeholder, "name": name,
                                       "placeholder": True}),
                    after=json.dumps({"person_id": person, "matched_by": way,
                                      "moved": moved.get(placeholder, {})}))
    return {table for counts in moved.values() for table in counts}


def _note_changes(cursor: duckdb.DuckDBPyConnection, table: Table, written: list[str]) -> None:
    """import_changes_noted: before the write, each new or updated row's key and, for an
    update, the columns that change with their values before and after (as text)."""
    key = " || '|' || ".join(f"coalesce(import_changes.{name}::varchar, '')"
                             for name in table.key)
    compared = [name for name in written if name not in table.key]
    pairs = ", ".join(f"{{'column': '{name}', 'before': stored.{name}::varchar, "
                      f"'after': import_changes.{name}::varchar}}" for name in compared)
    columns = (f"to_json(list_filter([{pairs}], lambda pair: pair.before is distinct from "
               f"pair.after))::varchar" if compared else "null")
    # New rows need only their key: the stored table is joined for the updated ones alone.
    # Composed here, not in queries/: a before/after per column (relay.sql says why).
    cursor.execute(
        f"create or replace temp table import_changes_noted as select row_key, change, "
        f"columns from (select line, {key} as row_key, change, null as columns "
        f"from import_changes where change = 'new' union all "
        f"select line, {key}, change, {columns} from import_changes "
        f"inner join {table.name} as stored on {_key_join(table, 'import_changes')} "
        f"where import_changes.change = 'updated') order by line limit {MAX_CHANGES_KEPT}")


def _keep_changes(cursor: duckdb.DuckDBPyConnection, import_id: int, table_name: str) -> None:
    """Keep what the import changed (its rows, and the people it merged) under its ID."""
    sql.execute(cursor, "import_keep_row_changes", id=import_id, table=table_name)
    sql.execute(cursor, "import_keep_new_people", id=import_id)
    if table_name == "campaign_spend":
        sql.execute(cursor, "import_keep_cost_changes", id=import_id)
    sql.execute(cursor, "import_keep_merges", id=import_id)


def changed_rows(cursor: duckdb.DuckDBPyConnection, import_id: int) -> pd.DataFrame:
    """What an accepted import changed, one line per changed column (a new row or a merged
    person is one line): table, key, change, column, before, after."""
    return sql.frame(cursor, "import_changed_rows", import_id=import_id)


def history(cursor: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """The latest imports, newest first: who imported which file into which table, its
    counts and its outcome."""
    return sql.frame(cursor, "import_runs", limit=limit)


def change_counts(cursor: duckdb.DuckDBPyConnection, import_id: int) -> pd.DataFrame:
    """How many rows of each table an accepted import changed, by change (table_name,
    change, rows)."""
    return sql.frame(cursor, "import_change_counts", import_id=import_id)


def _record(cursor: duckdb.DuckDBPyConnection, preview: Preview, started_at: dt.datetime,
            actor: str, outcome: str, message: str | None = None) -> int:
    """The import's line in the history (and, when it wrote, the audit log)."""
    counts = preview.counts()
    import_id = sql.records(
        cursor, "insert_import_run", started_at=started_at, finished_at=clock.now(),
        actor=actor, file_name=preview.file_name, file_bytes=preview.file_bytes,
        table_name=preview.table, layout=preview.layout, outcome=outcome,
        message=message or preview.summary(),
        **{name: counts[name] for name in ("rows_in_file", "inserted", "updated", "unchanged",
                                            "new_people", "problems")})[0]["import_id"]
    if outcome == "imported":
        sql.execute(cursor, "insert_audit", at=clock.now(), actor=actor, action="import",
                    entity=preview.table, entity_id=str(import_id), before=None,
                    after=json.dumps({"file": preview.file_name, "layout": preview.layout,
                                      **counts}))
    return import_id


# ---------------------------------------------------------------------------- the whole import


class ImportFailed(Exception):
    """The import could not be written; the store is as it was before it."""


@dataclass
class Outcome:
    preview: Preview
    written: bool
    import_id: int | None = None


def preview_file(cursor: duckdb.DuckDBPyConnection, path: Path, file_name: str,
                 table_name: str, layout: str | Layout | None = None,
                 columns: dict[str, str] | None = None, *,
                 date_format: str | None = None) -> Preview:
    """Read and check the file against the store as it is now; writes nothing. The layout
    is recognised from the headers when not given (the store's own columns otherwise).
    `columns`: {column: header} mapped on top of that layout (`relay import --map`).
    `date_format`: a strptime pattern (e.g. %d/%m/%Y) for the dates that are not ISO;
    detected from the whole file when None."""
    table = layouts.TABLES[table_name]
    preview = Preview(file_name, 0, table_name, "")
    known = {shapes.normalised_header(header)
             for choice in layouts.choices_for(cursor, table_name).values()
             for headers in choice.columns.values() for header in headers}
    # Headers mapped by hand (--map) are known too: they help find the header row.
    known |= {shapes.normalised_header(header) for header in (columns or {}).values()}
    with store.bounded_memory(cursor):
        source = read(cursor, path, preview, known)
        if source is None:
            return _with_kinds(preview)
        if layout is None:
            layout = layouts.recognise(cursor, table_name, source.headers, columns) or "relay"
        if isinstance(layout, str):
            layout = layouts.find(cursor, table_name, layout)
        if columns:
            layout = layouts.overlay(layout, columns, source.headers)
        preview.layout = layout.name
        return _with_kinds(check(cursor, source, table, layout, preview, date_format))


def _with_kinds(preview: Preview) -> Preview:
    """A refusal found before the rows were checked is summarised from its listed
    problems."""
    if not preview.ok and not preview.kinds:
        preview.kinds = problem_kinds.from_listed(preview.problems)
    return preview


def run(connection: duckdb.DuckDBPyConnection, path: Path, table_name: str, *,
        file_name: str | None = None, layout: str | Layout | None = None,
        dry_run: bool = False, expect: dict[str, int] | None = None,
        progress: Callable[[str], None] = lambda step: None,
        date_format: str | None = None, columns: dict[str, str] | None = None,
        problems_file: Path | None = None) -> Outcome:
    """Check the file and, when every row passes, write it in one transaction and record
    the import. A refused file is recorded too; nothing of it is written. `expect`: the
    counts a preview showed the user; if the store changed since, nothing is written.
    `progress` hears each step as it starts. `columns`: {column: header} on top of the
    layout; `problems_file`: where every problem is written as CSV when the file is refused.
    Only an admin may import."""
    actor = identity.require(Role.ADMIN, "importing data").audit_name
    store.check_writable(connection)  # a store found damaged is never written
    started = clock.now()
    path = Path(path)
    try:
        with sql.cursor(connection) as cursor:
            return _run(connection, cursor, path, table_name, file_name, layout, dry_run,
                        expect, progress, actor, started, date_format, columns, problems_file)
    except duckdb.Error as error:
        described = store.described_error(connection, error)
        if described is None:
            raise
        raise described from error


def _run(connection, cursor, path, table_name, file_name, layout, dry_run, expect, progress,
         actor, started, date_format=None, columns=None, problems_file=None) -> Outcome:
    progress(f"Checking {file_name or path.name}…")
    preview = preview_file(cursor, path, file_name or path.name, table_name, layout, columns,
                           date_format=date_format)
    if problems_file is not None:  # a file that passes leaves just the header
        problem_kinds.write_csv(cursor, preview, Path(problems_file))
    if dry_run:
        return Outcome(preview, False)
    if not preview.ok:
        return Outcome(preview, False, _record_alone(connection, preview, started, actor,
                                                     "refused"))
    if expect is not None and expect != preview.counts():
        return Outcome(preview, False)
    progress(f"{WRITING} {preview.inserted + preview.updated:,} rows to {table_name}…")
    try:
        # A shared store: its write lock held and the copy caught up first, the import
        # saved there before DuckDB commits (relay.replica; nothing on the embedded store).
        with replica.writing(connection) as ship:
            cursor.begin()
            with store.bounded_memory(cursor), sql.recording() as written:
                _write(cursor, layouts.TABLES[table_name], preview, actor, clock.now())
                import_id = _record(cursor, preview, started, actor, "imported")
                _keep_changes(cursor, import_id, table_name)
            ship(cursor, written)
            cursor.commit()
    except BaseException as error:
        try:
            cursor.rollback()
        except duckdb.Error:
            pass  # a failed commit has already ended the transaction
        if not isinstance(error, duckdb.Error):
            raise  # the shared store refused (or Ctrl+C): nothing of the import was saved
        if store.describe(store.database_path(connection), error) is not None:
            raise  # the store itself failed: run() says so and records nothing
        message = (f"{preview.file_name} could not be written, so nothing of it was: "
                   f"{str(error).splitlines()[0]}")
        _record_alone(connection, preview, started, actor, "failed", message)
        raise ImportFailed(message) from error
    store.committed(connection, written)
    return Outcome(preview, True, import_id)


def _record_alone(connection, preview: Preview, started: dt.datetime, actor: str,
                  outcome: str, message: str | None = None) -> int:
    # A transaction of its own (store.write), so that a shared store records it too.
    return store.write(connection, lambda cursor: _record(cursor, preview, started, actor,
                                                          outcome, message))


def record_unfinished(connection: duckdb.DuckDBPyConnection, file_name: str, table_name: str,
                      layout: str | None, message: str,
                      started: dt.datetime | None = None) -> int:
    """Record in the import history, as failed, an import that ended before it wrote
    anything (an error, a cancellation, a dashboard that stopped)."""
    actor = identity.require(Role.ADMIN, "recording an import").audit_name
    store.check_writable(connection)  # a store found damaged is never written
    preview = Preview(file_name, 0, table_name, layout or "")
    return _record_alone(connection, preview, started or clock.now(), actor, "failed", message)


def latest_import_id(cursor: duckdb.DuckDBPyConnection) -> int:
    return sql.row(cursor, "latest_import_id")["import_id"]


def imported_since(cursor: duckdb.DuckDBPyConnection, after_id: int, file_name: str,
                   table_name: str, actor: str) -> bool:
    """Whether the history holds an import of this file by `actor` written after the import
    numbered `after_id`."""
    return sql.row(cursor, "imported_since", after=after_id, file_name=file_name,
                   table_name=table_name, actor=actor)["found"]
