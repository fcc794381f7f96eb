"""The DuckDB store: where it lives, how it is opened, created and upgraded.

One read-write connection per process; every script run or thread works through its own
`cursor()` of it. Schema changes are numbered migrations recorded in `schema_version`.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from relay import PROJECT_ROOT, sql

MIGRATION_DIR = PROJECT_ROOT / "queries" / "migrations"
DEFAULT_PATH = PROJECT_ROOT / "data" / "relay.duckdb"

T = TypeVar("T")


class StoreError(Exception):
    """A store that cannot be used, with a message saying what to do."""


class StoreLocked(StoreError):
    """Another process (e.g. the running dashboard) holds the store open."""


def default_path() -> Path:
    """The store to use: $RELAY_DB if set, else data/relay.duckdb."""
    return Path(os.environ.get("RELAY_DB") or DEFAULT_PATH)


def migrations() -> list[tuple[int, str, Path]]:
    """(version, description, file) of every migration, oldest first."""
    found = []
    for path in sorted(MIGRATION_DIR.glob("*.sql")):
        number, _, description = path.stem.partition("_")
        found.append((int(number), description.replace("_", " "), path))
    return found


LATEST_VERSION = migrations()[-1][0]


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        text = str(error)
        if "lock" in text.lower():
            raise StoreLocked(
                f"The store {path} is in use by another process (DuckDB lets one process "
                f"write a file at a time). Stop that process, or point RELAY_DB elsewhere. "
                f"Details: {text}"
            ) from error
        if "not a valid DuckDB database" in text or "version" in text.lower():
            raise StoreError(
                f"{path} is not a store this version of DuckDB can read (corrupt, not a DuckDB "
                f"file, or written by a newer DuckDB). The file was left as it is. Restore it "
                f"from a backup, or point RELAY_DB at another store. Details: {text}"
            ) from error
        raise StoreError(f"Cannot open the store {path}: {text}") from error
    except duckdb.Error as error:
        raise StoreError(
            f"Cannot open the store {path}: {error}. The file was left as it is."
        ) from error


def schema_version(connection: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version; 0 for an empty database."""
    has_table = connection.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not has_table:
        return 0
    versions = connection.execute("select coalesce(max(version), 0) from schema_version")
    return versions.fetchall()[0][0]


def migrate(connection: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the store, each in one transaction."""
    current = schema_version(connection)
    if current > LATEST_VERSION:
        raise StoreError(
            f"This store was written by a newer Revenue Relay (schema version {current}; "
            f"this one knows up to {LATEST_VERSION}). Upgrade Revenue Relay to open it; "
            f"the file was left as it is."
        )
    for version, description, path in migrations():
        if version <= current:
            continue
        connection.execute("begin transaction")
        try:
            connection.execute(path.read_text(encoding="utf-8"))
            connection.execute(
                "insert into schema_version values (?, ?, ?)",
                [version, description, dt.datetime.now()],
            )
            connection.execute("commit")
        except Exception:
            connection.execute("rollback")
            raise
    return schema_version(connection)


def create(path: Path) -> duckdb.DuckDBPyConnection:
    """A new, empty store at `path` with the latest schema. Never touches an existing file."""
    path = Path(path)
    if path.exists():
        raise StoreError(f"{path} already exists; it was left as it is.")
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = _connect(path, read_only=False)
    migrate(connection)
    sql.execute(connection, "upsert_setting", key="store_id", value=uuid.uuid4().hex[:12])
    return connection


def open_store(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open an existing store, upgrading its schema if it is older than this code."""
    path = Path(path)
    if not path.exists():
        raise StoreError(
            f"There is no store at {path}. Build the demo store with `python -m relay demo`, "
            f"or point RELAY_DB (or --db) at your store."
        )
    if not os.access(path, os.R_OK):
        raise StoreError(f"The store {path} cannot be read (check its permissions).")
    connection = _connect(path, read_only=read_only)
    try:
        version = schema_version(connection)
        if version == 0:
            raise StoreError(
                f"{path} is a DuckDB file but not a Revenue Relay store (no schema_version "
                f"table). The file was left as it is; point RELAY_DB at a store."
            )
        if version > LATEST_VERSION:
            migrate(connection)  # raises the "newer store" message
        if version < LATEST_VERSION:
            if read_only:
                raise StoreError(
                    f"The store {path} has schema version {version}; this code needs "
                    f"{LATEST_VERSION}. Open it once read-write (start the dashboard) to upgrade."
                )
            migrate(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def write(
    connection: duckdb.DuckDBPyConnection,
    work: Callable[[duckdb.DuckDBPyConnection], T],
    attempts: int = 3,
    busy: type[Exception] | None = None,
    idempotent_insert: bool = False,
) -> T:
    """Run `work(cursor)` in one transaction, retrying when another writer got there first.

    DuckDB reports a write-write conflict as TransactionException at the conflicting
    statement or at commit; the whole transaction is rolled back and run again. After the
    last attempt the exception goes to the caller, who tells the user: as `busy` (with a
    message saying so) when given, else as DuckDB raised it.

    `idempotent_insert`: `work` only inserts rows "on conflict do nothing". Such an insert
    still fails with ConstraintException when another transaction committed the same key
    after this one began (the row is invisible to this snapshot but taken in the index):
    that is a write-write conflict too, and a fresh transaction sees the row and does
    nothing. Only then is ConstraintException retried; elsewhere it is a real duplicate.
    """
    conflicts: tuple[type[Exception], ...] = (duckdb.TransactionException,)
    if idempotent_insert:
        conflicts += (duckdb.ConstraintException,)
    try:
        return _write(connection, work, attempts, conflicts)
    except conflicts as error:
        if busy is None:
            raise
        raise busy(
            "Someone else was saving the same data at the same moment, so nothing was "
            f"saved. Try again in a moment. (DuckDB: {error})"
        ) from error


def _write(connection, work, attempts, conflicts):
    for attempt in range(1, attempts + 1):
        cursor = connection.cursor()
        try:
            cursor.execute("begin transaction")
            result = work(cursor)
            cursor.execute("commit")
            return result
        except conflicts:
            _rollback_quietly(cursor)
            if attempt == attempts:
                raise
            time.sleep(0.05 * attempt)
        except BaseException:
            _rollback_quietly(cursor)
            raise
        finally:
            cursor.close()
    raise AssertionError("unreachable")


def _rollback_quietly(cursor: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open (a failed commit has already ended it)."""
    try:
        cursor.execute("rollback")
    except duckdb.Error:
        pass
