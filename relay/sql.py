"""The one way SQL reaches the store: named statements from queries/*.sql, bound parameters.

The one exception to bound parameters is an identifier (a table or column name), which SQL
cannot bind: a query that needs one names it as `{placeholder}` in its file, and
`with_identifiers` puts in, quoted, only a name `allowed` (IDENTIFIERS, the columns an
import writes, and the c0, c1, … it reads a file into) or one read from DuckDB's own
catalog (a CatalogName); a list of them goes in separated by commas. Every other value is a
bound parameter. A step repeated over a column's values is a macro in the store (the
migrations: scoped_leads, the date_* macros an import reads dates by), so that a statement
names only identifiers and macros; one that does the same to each of a list of columns
selects them with DuckDB's columns($list), the names a bound list checked by `names`
(import_dates_not_iso, export_table_csv).

The one exception to "every statement in queries/": the statements below are composed in
Python, because their shape is not a list of identifiers. Each has one expression per column
of the file (or an option per thing the file needs), each different, of a number the file
decides. Their values are bound all the same, and the names in them are the columns of
relay.layouts or import_raw's c0, c1, …, never a user's text:

- relay.importing._read_csv (import_raw): read_csv's new_line and skip options are given
  only when the file needs them (DuckDB has no new_line value that means "detect it").
- relay.importing.check (import_typed): each mapped column typed by its kind (its date
  family's macro, its amount convention, its choices, …).
- relay.importing._make_lead_ids: a leads file's made ID, a hash of those of email,
  created_at, source and campaign_id the file has, each read its own way.
- relay.importing._date_warnings (import_warnings): each later date against the first known
  of up to three earlier ones, each from the file or from the stored row.
- relay.importing._stage (import_staged): each written column's stored value (from the file,
  the stage mapping, the person, a rate or a goal's default team) and the joins they need.
- relay.importing._classify (import_changes), _write (the update) and _note_changes
  (import_changes_noted): a comparison or an assignment per written column, and the join on
  the table's key (region and segment null-safe).
- relay.shapes.skip_rows: empty, repeated-header, totals and trailing rows, each a condition
  over every column of the file (a repeated header compared column by column). Written over
  columns(*) with a list per row it gave the same rows but took 2.7 times as long (2M rows).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from typing import Any

import duckdb
import pandas as pd

from relay import PROJECT_ROOT

QUERY_DIR = PROJECT_ROOT / "queries"

# {placeholder: identifier, or a list of them} for a query's `{placeholder}`s.
Identifiers = Mapping[str, "str | Sequence[str]"]


# The identifiers a query may have put in: the store's tables and summaries, the temporary
# tables an import reads, types, stages and checks a file in, and the columns that name a person
# (relay.importing.PERSON_REFERENCES). Nothing a user types is ever one of them.
STORE_TABLES = frozenset({
    "people", "campaigns", "leads", "deals", "deal_history", "goals", "forecast_submissions",
    "campaign_spend", "audit_log", "plan_signoffs", "plan_revisions", "import_runs",
    "import_mappings", "import_row_changes", "people_placeholders", "stage_mappings",
    "settings", "schema_version", "deal_states", "deal_states_live", "pipeline_deltas",
    "pipeline_deltas_live", "touches", "deal_credits", "deal_credits_live", "store_holdings",
    "store_holdings_live", "funnel_months", "funnel_months_live", "funnel_listed_twice",
    "funnel_listed_twice_live", "lead_owners", "lead_owners_live",
    "lead_quality", "lead_quality_live", "funnel_lookup_leads",
    "funnel_lookup_leads_live", "store_span", "store_span_live", "deal_breakdowns",
    "deal_breakdowns_live", "mql_owners", "mql_owners_live",
    "campaign_lead_months", "campaign_lead_months_live",
    "campaign_deals", "campaign_deals_live",
    "unrecorded_deals", "unrecorded_deals_live", "sourced_deals",
    "sourced_deals_live", "rep_strength_months", "rep_strength_months_live",
})
IMPORT_TEMP_TABLES = frozenset({"import_raw", "import_rejects", "import_typed", "import_staged",
                                "import_problems", "import_warnings"})
PERSON_COLUMNS = frozenset({"owner_id", "manager_id", "person_id"})
# The summaries of counts over leads (relay.summaries.COUNTED_BY_LEAD): the table macro that
# defines each for given leads, and the temporary table a write's change to it is kept in.
SUMMARY_CHANGES = frozenset({"funnel_months_of", "funnel_months_change",
                             "campaign_lead_months_of", "campaign_lead_months_change",
                             "rep_strength_months_of", "rep_strength_months_change"})
# The names a backup (relay.exporting) and a restore (relay.restoring) attach a file under.
ATTACHED_DATABASES = frozenset({"relay_backup", "relay_restore_source"})
IDENTIFIERS = (STORE_TABLES | IMPORT_TEMP_TABLES | PERSON_COLUMNS | ATTACHED_DATABASES
               | SUMMARY_CHANGES)
# The columns import_raw holds a file's text in, named by position (c0, c1, …), never by the
# file's headers.
RAW_COLUMN = re.compile(r"c[0-9]+")

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class CatalogName(str):
    """A name read from DuckDB's own catalog (a table, schema, column or database the store
    has), never a user's text: it may be put in a query as an identifier."""


@cache
def import_columns() -> frozenset[str]:
    """The columns of the tables an import writes (relay.layouts.TABLES), and the raw_<column>
    of each that holds the file's text while it is checked."""
    from relay import layouts  # layouts runs its own queries through this module

    names = {column.name for table in layouts.TABLES.values() for column in table.columns}
    return frozenset(names | {f"raw_{name}" for name in names})


def allowed(identifier: str) -> bool:
    """Whether a query may name `identifier`: the one place that says so."""
    return (isinstance(identifier, CatalogName) or identifier in IDENTIFIERS
            or identifier in import_columns() or RAW_COLUMN.fullmatch(identifier) is not None)


def names(identifiers: Sequence[str]) -> list[str]:
    """Identifiers bound as a list, for DuckDB's columns($list): each one `allowed`, like an
    identifier put in the text."""
    refused = [name for name in identifiers if not allowed(name)]
    if refused:
        raise ValueError(f"not identifiers a query may name: {', '.join(map(repr, refused))}")
    return [str(name) for name in identifiers]


def quoted(identifier: str) -> str:
    """`identifier` as an SQL identifier, double-quoted."""
    return '"' + identifier.replace('"', '""') + '"'


def with_identifiers(name: str, /, **identifiers: str | Sequence[str]) -> str:
    """The text of queries/<name>.sql with each `{placeholder}` replaced by its identifier,
    quoted (a list of them: separated by commas); an identifier not `allowed` is refused."""
    for placeholder, given in identifiers.items():
        for identifier in [given] if isinstance(given, str) else given:
            if not allowed(identifier):
                raise ValueError(f"{identifier!r} ({placeholder}) is not an identifier a "
                                 f"query may name (relay.sql.allowed)")

    def put(found: re.Match) -> str:
        if found[1] not in identifiers:
            raise LookupError(f"query {name!r} needs the identifier {{{found[1]}}}")
        given = identifiers[found[1]]
        return ", ".join(quoted(identifier)
                         for identifier in ([given] if isinstance(given, str) else given))

    return _PLACEHOLDER.sub(put, load(name))


def _text(name: str, identifiers: Identifiers | None) -> str:
    text = load(name) if not identifiers else with_identifiers(name, **identifiers)
    written = _recording.get()
    if written is not None:
        written |= written_tables(text)
    return text


# A statement that writes a table names it right after one of these; a name after "update"
# may be a keyword instead ("on conflict do update set").
_WRITES = re.compile(r'\b(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from|'
                     r'create\s+(?:or\s+replace\s+)?table)\s+"?([a-z_][a-z0-9_]*)"?',
                     re.IGNORECASE)
_NOT_TABLES = frozenset({"set"})
# The tables written in the current transaction (store.write, an import), while recording.
_recording: ContextVar[set[str] | None] = ContextVar("relay_sql_recording", default=None)


@cache
def written_tables(text: str) -> frozenset[str]:
    """The tables a statement's text writes (inserts into, updates, deletes from, creates),
    lower case. A COPY FROM DATABASE writes every table: restores and backups, which
    replace or leave the store rather than change it, say so themselves."""
    return frozenset(name.lower() for name in _WRITES.findall(text)) - _NOT_TABLES


@contextmanager
def recording() -> Iterator[set[str]]:
    """Collect the tables the named statements run inside the block write, so that what
    depends on them (cached pages, summaries, replicas) can follow the transaction. Blocks
    nest: an inner block's tables count for the outer one too."""
    outer = _recording.get()
    written: set[str] = set()
    token = _recording.set(written)
    try:
        yield written
    finally:
        _recording.reset(token)
        if outer is not None:
            outer |= written


def record_written(tables: Iterable[str]) -> None:
    """Note tables written by a statement composed in Python (relay.importing's update),
    which does not pass through the named queries."""
    written = _recording.get()
    if written is not None:
        written.update(tables)


@contextmanager
def cursor(connection: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to open a cursor of a connection: closed on the way out, so that none is
    left for DuckDB to report as leaked at exit."""
    opened = connection.cursor()
    try:
        yield opened
    finally:
        opened.close()


@cache
def load(name: str) -> str:
    """The text of queries/<name>.sql."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise LookupError(f"no query named {name!r} (looked for {path})")
    return path.read_text(encoding="utf-8")


def frame(cursor: duckdb.DuckDBPyConnection, name: str, /, *,
          identifiers: Identifiers | None = None, **params: Any) -> pd.DataFrame:
    """Run a named query and return its result as a DataFrame."""
    return cursor.execute(_text(name, identifiers), params).df()


def records(cursor: duckdb.DuckDBPyConnection, name: str, /, *,
            identifiers: Identifiers | None = None,
            **params: Any) -> list[dict[str, Any]]:
    """Run a named query and return its rows as dicts of plain Python values (None for NULL,
    never NaN: these go back into queries as parameters)."""
    result = cursor.execute(_text(name, identifiers), params)
    columns = [column[0] for column in result.description]
    return [
        dict(zip(columns, (float(v) if isinstance(v, Decimal) else v for v in values), strict=True))
        for values in result.fetchall()
    ]


def row(cursor: duckdb.DuckDBPyConnection, name: str, /, *,
        identifiers: Identifiers | None = None, **params: Any) -> dict[str, Any]:
    """Run a named query that returns one row, as a dict of column name to value."""
    result = cursor.execute(_text(name, identifiers), params)
    columns = [column[0] for column in result.description]
    # fetchall, not fetchone: DuckDB 2 keeps a half-read result open on the connection.
    rows = result.fetchall()
    if not rows:
        return dict.fromkeys(columns)
    # Amounts are DECIMAL in the store; as floats they mix with the DataFrame figures.
    values = (float(v) if isinstance(v, Decimal) else v for v in rows[0])
    return dict(zip(columns, values, strict=True))


def rows(cursor: duckdb.DuckDBPyConnection, name: str, /, *,
         identifiers: Identifiers | None = None, **params: Any) -> list[tuple]:
    """Run a named query and return its rows as tuples, as DuckDB gives them."""
    return cursor.execute(_text(name, identifiers), params).fetchall()


def scalar(cursor: duckdb.DuckDBPyConnection, name: str, /, *,
           identifiers: Identifiers | None = None, **params: Any) -> Any:
    """Run a named query that returns one value (the first column of its first row)."""
    return rows(cursor, name, identifiers=identifiers, **params)[0][0]


def execute(cursor: duckdb.DuckDBPyConnection, name: str, /, *,
            identifiers: Identifiers | None = None, **params: Any) -> None:
    cursor.execute(_text(name, identifiers), params)
