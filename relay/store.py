"""The DuckDB store: where it lives, how it is opened, created and upgraded.

One read-write connection per process; every script run or thread works through its own
`cursor()` of it. Schema changes are numbered migrations recorded in `schema_version`.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb

from relay import PROJECT_ROOT, clock, sql, summaries

MIGRATION_DIR = PROJECT_ROOT / "queries" / "migrations"
DEFAULT_PATH = PROJECT_ROOT / "data" / "relay.duckdb"

T = TypeVar("T")
_LOG = logging.getLogger(__name__)


class StoreError(Exception):
    """A store that cannot be used, with a message saying what to do. `public`: the same for
    people who neither see where the store lives nor can mend it (all but admins)."""

    def __init__(self, message: str, public: str | None = None):
        super().__init__(message)
        self.public = public


class StoreLocked(StoreError):
    """Another process (e.g. the running dashboard) holds the store open."""


class StoreDamaged(StoreError):
    """DuckDB found the store file corrupt, or cannot read or write it (an I/O error): nothing
    more is written to it by this process."""


class StoreFull(StoreError):
    """The disk holding the store (or its spill folder) is full: what was being saved was not
    saved. Not a mark on the store: reads go on, and a write goes through once there is
    room."""


# Stores this process found damaged (resolved path: the file's inode and the error): every
# later write to that file is refused with the message, and the dashboard's pages show it. A
# file put in its place (a restore) is a new file: the mark does not apply to it.
_damaged: dict[str, tuple[int | None, StoreDamaged]] = {}

CORRUPT_MARKERS = ("corrupt database file", "checksum", "database has been invalidated",
                   "could not read enough bytes")  # the last: a file cut short
FULL_MARKERS = ("no space left on device", "disk full", "disk quota exceeded")
STALE_WAL_MARKER = "wal does not match database file"


def _key(path: Path | str) -> str:
    return str(Path(path).resolve())


def describe(path: Path | str, error: BaseException) -> StoreError | None:
    """A StoreError saying what a DuckDB error means for the store at `path` and what to do,
    for a corrupt file, a full disk or another I/O error; None for any other error."""
    text = str(error)
    lowered = text.lower()
    if any(marker in lowered for marker in FULL_MARKERS):
        return StoreFull(
            f"The disk holding {path} is full, so the store could not be written; what was "
            f"being saved was not saved. Free some space, then save again (or run the command "
            f"again). Details: {text.splitlines()[0]}",
            "The disk that holds the store is full, so what was being saved was not saved. "
            "An admin frees some space; then save again.")
    if any(marker in lowered for marker in CORRUPT_MARKERS):
        return StoreDamaged(
            f"The store {path} is damaged: DuckDB found data in it that fails its checks "
            f"(a block whose checksum does not match, or a file cut short), so nothing more "
            f"is written to it. Restore the latest backup (`python -m relay restore FILE "
            f"--db {path}`, or the Data page's Downloads and backup tab), or point RELAY_DB "
            f"at another store. "
            f"Details: {text.splitlines()[0]}",
            "The store is damaged: some of its data fails DuckDB's checks, so nothing more is "
            "written to it. An admin restores the latest backup.")
    if isinstance(error, duckdb.IOException) and str(path) in text:
        return StoreDamaged(
            f"Reading or writing the store {path} failed (an I/O error: the disk or file "
            f"system). Check the disk, then restart the dashboard (or run the command "
            f"again). Details: {text.splitlines()[0]}",
            "Reading or writing the store failed (the disk or its file system). An admin "
            "checks the disk and restarts the dashboard.")
    return None


def mark_damaged(path: Path | str, error: BaseException) -> StoreError | None:
    """Remember that the store at `path` is damaged when `error` says so; the StoreError to
    raise (None when the error says nothing about the store file)."""
    described = describe(path, error)
    if isinstance(described, StoreDamaged):
        _damaged[_key(path)] = (_inode(path), described)
    return described


def _inode(path: Path | str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def file_identity(path: Path | str) -> tuple[str, int | None]:
    """Which file is at `path` now: a file put in its place (a restore) is another one."""
    return _key(path), _inode(path)


def damaged(path: Path | str) -> StoreDamaged | None:
    """A fresh StoreDamaged for a store this process found damaged, else None."""
    inode, found = _damaged.get(_key(path), (None, None))
    if found is not None and inode != _inode(path):
        forget_damage(path)  # another file is there now
        return None
    return None if found is None else StoreDamaged(str(found), found.public)


def forget_damage(path: Path | str) -> None:
    """After a restore: the file at `path` is a new one."""
    _damaged.pop(_key(path), None)


def database_path(connection: duckdb.DuckDBPyConnection) -> Path:
    """The file of the connection's store."""
    with sql.cursor(connection) as cursor:
        return Path(sql.scalar(cursor, "store_database_path"))


def check_writable(connection: duckdb.DuckDBPyConnection) -> None:
    """Refuse (StoreDamaged) to write to a store this process found damaged."""
    try:
        path = database_path(connection)
    except duckdb.Error as error:  # an invalidated database answers nothing at all
        raise StoreDamaged(f"The store cannot be used: {error}") from error
    found = damaged(path)
    if found is not None:
        raise found


def verify(connection: duckdb.DuckDBPyConnection, path: Path | str,
           database: str | None = None) -> int:
    """Read every column of every row of every table, so that DuckDB checks the checksum of
    every data block; StoreDamaged (and the store marked damaged) if one fails. Returns the
    number of tables read. `database`: an attached database to check instead of the store."""
    with sql.cursor(connection) as cursor:
        try:
            tables = sql.rows(cursor, "store_tables", database=database)
            for catalog, schema, table in tables:
                # Table names come from the catalog, never from a user: identifiers, not values.
                sql.rows(cursor, "store_read_table", identifiers={
                    "database": sql.CatalogName(catalog), "schema": sql.CatalogName(schema),
                    "table": sql.CatalogName(table)})
            return len(tables)
        except duckdb.Error as error:
            described = (mark_damaged(path, error) if database is None
                         else describe(path, error))
            raise (described or StoreError(f"Cannot read the store {path}: {error}")) from error


def default_path() -> Path:
    """The store to use: $RELAY_DB if set, else data/relay.duckdb; with a shared store
    ($RELAY_STORE), this machine's copy of it (relay.replica)."""
    if os.environ.get("RELAY_DB"):
        return Path(os.environ["RELAY_DB"])
    from relay import replica  # the shared store's code needs this module's

    url = replica.configured_url()
    return DEFAULT_PATH if url is None else replica.default_copy_path(url)


def without_path(message: str, path: Path) -> str:
    """A store message with the store's location, as given or resolved, left out: for people
    who need not know where it lives."""
    path = Path(path)
    for named in sorted({str(path), str(path.resolve())}, key=len, reverse=True):
        message = (message.replace(f"store at {named}", "store where it is configured")
                   .replace(f"store {named}", "store").replace(named, "the store"))
    return message[:1].upper() + message[1:]


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
        if STALE_WAL_MARKER in text.lower():
            raise StoreError(
                f"The store {path} cannot be opened: its write-ahead log {path}.wal belongs to "
                f"another version of the file (typically a backup or copy was put in place "
                f"of the store while the old log stayed beside it). The files were left as "
                f"they are. If you are sure {path}.wal is stale, move it aside (not delete: "
                f"it may hold the last changes) and open the store again; to put a backup in "
                f"place, use `python -m relay restore FILE --db {path}`, which handles the "
                f"log. Details: {text}"
            ) from error
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
        raise mark_damaged(path, error) or StoreError(
            f"Cannot open the store {path}: {text}") from error
    except duckdb.Error as error:
        raise mark_damaged(path, error) or StoreError(
            f"Cannot open the store {path}: {error}. The file was left as it is."
        ) from error


# An import reads a whole file (up to 1 GiB) into temporary tables and joins them with the
# store. DuckDB's default memory_limit is 80% of the machine's memory, so a 1 GiB file kept
# all of that in memory (8.3 GB RSS). With a limit, DuckDB spills temporary tables and join
# state to its temp_directory instead: by default the store's path plus ".tmp", on the
# store's disk, which is where we want it (so it is left as it is).
IMPORT_MEMORY_ENV = "RELAY_DUCKDB_MEMORY"
IMPORT_MEMORY_CAP = 1 << 30  # 1 GiB of DuckDB buffers: with Python, about 1.5 GB RSS


def import_memory_limit() -> str:
    """The memory_limit an import runs under: $RELAY_DUCKDB_MEMORY as DuckDB reads it
    (e.g. "2GB"), else a quarter of this machine's memory, at most IMPORT_MEMORY_CAP."""
    return _share_of_machine(4, IMPORT_MEMORY_CAP)


def _share_of_machine(parts: int, cap: int) -> str:
    """$RELAY_DUCKDB_MEMORY as DuckDB reads it, else one of `parts` equal shares of this
    machine's memory, at most `cap` and at least 256 MB, in MB."""
    given = os.environ.get(IMPORT_MEMORY_ENV, "").strip()
    if given:
        return given
    try:
        machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        machine = parts * cap
    return f"{max(256 << 20, min(cap, machine // parts)) >> 20}MB"


_limits_lock = threading.Lock()
# database path -> [imports running, the limit to restore (None: it was not changed)]
_limits_held: dict[str, list] = {}


@contextmanager
def bounded_memory(cursor: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """Run an import under import_memory_limit(), spilling to a temp_directory next to the
    store. DuckDB's memory_limit is one per database instance: while an import runs, the
    dashboard's own queries in the same process share it (they read small aggregates and
    stay far below it); the setting they had is restored when the last import ends, so the
    dashboard is not slowed otherwise. Yields the limit used."""
    database = sql.scalar(cursor, "store_database_path")
    key = database or "memory"
    limit = _checked_size(import_memory_limit())
    with _limits_lock:
        held = _limits_held.get(key)
        if held is None:
            before = sql.scalar(cursor, "store_memory_limit")
            lowered = _bytes(limit) < _bytes(before)  # a lower limit already set is kept
            if lowered:
                sql.execute(cursor, "store_set_memory_limit", limit=limit)
            else:
                limit = before
            _limits_held[key] = held = [0, before if lowered else None]
        held[0] += 1
    try:
        yield limit
    finally:
        with _limits_lock:
            held[0] -= 1
            if held[0] == 0:
                del _limits_held[key]
            if held[0] == 0 and held[1] is not None:
                try:
                    # SET takes the size DuckDB shows rounded ("18.8 GiB"): DuckDB's own
                    # default comes back exactly by RESET.
                    if held[1] == _default_memory_limit():
                        sql.execute(cursor, "store_reset_memory_limit")
                    else:
                        sql.execute(cursor, "store_set_memory_limit",
                                    limit=_checked_size(held[1]))
                except duckdb.Error:
                    pass  # a closed connection has nothing left to restore


@functools.cache
def _default_memory_limit() -> str:
    """DuckDB's memory_limit when none is set (80% of this machine's memory)."""
    fresh = duckdb.connect()
    try:
        return sql.scalar(fresh, "store_memory_limit")
    finally:
        fresh.close()


_UNITS = {"": 1, "B": 1, "BYTES": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def _bytes(text: str) -> float:
    """A memory size as DuckDB writes it ("18.5 GiB", "1024MB") in bytes; unknown: no limit."""
    found = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", text or "")
    if not found or found[2].upper() not in _UNITS:
        return float("inf")
    return float(found[1]) * _UNITS[found[2].upper()]


def _checked_size(text: str) -> str:
    """A memory size for SET (which takes no bound parameter): digits, a point, spaces and
    letters only, e.g. "1.5 GiB"."""
    if not re.fullmatch(r"[0-9.]+ ?[A-Za-z]*", text.strip()):
        raise StoreError(f"{IMPORT_MEMORY_ENV}={text!r} is not a memory size such as 2GB.")
    return text.strip()


def schema_version(connection: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version; 0 for an empty database."""
    if not sql.scalar(connection, "store_has_schema_version"):
        return 0
    return sql.scalar(connection, "store_schema_version")


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
        connection.begin()
        try:
            connection.execute(path.read_text(encoding="utf-8"))
            sql.execute(connection, "store_record_migration", version=version,
                        description=description, applied_at=clock.now())
            connection.commit()
        except Exception:
            connection.rollback()
            raise
    return schema_version(connection)


def create(path: Path) -> duckdb.DuckDBPyConnection:
    """A new, empty store at `path` with the latest schema. Never touches an existing file."""
    path = Path(path)
    if path.exists():
        raise StoreError(f"{path} already exists; it was left as it is.")
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = _connect(path, read_only=False)
    try:
        migrate(connection)
        sql.execute(connection, "upsert_setting", key="store_id", value=uuid.uuid4().hex[:12])
    except BaseException:
        connection.close()  # not left open for the caller, who never receives it
        raise
    return connection


def open_store(path: Path, read_only: bool = False, check: bool | None = None,
               for_dashboard: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store at `path`: the file (`open_file`), or with a shared store
    ($RELAY_STORE) this process's copy of it at `path`, caught up (relay.replica; a copy
    is written by its catching up, whatever `read_only` says)."""
    from relay import replica

    if replica.configured_url() is not None:
        return replica.open_copy(path)
    return open_file(path, read_only, check, for_dashboard)


def open_file(path: Path, read_only: bool = False, check: bool | None = None,
              for_dashboard: bool = False) -> duckdb.DuckDBPyConnection:
    """Open an existing store file, upgrading its schema if it is older than this code.

    `check` (default: when opened read-write) reads the whole store first (`verify`), so
    that a corrupt store is refused before anything is written to it: StoreDamaged.
    `for_dashboard`: bounded as the dashboard's connection (bound_for_dashboard) before
    the upgrade, and the check under a small limit of its own (CHECK_MEMORY): under
    DuckDB's default limit (80% of the machine) the check kept a 1 GB store's blocks in
    memory, and the app peaked at 1.2 GB RSS at 10M leads before any page was drawn."""
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
        if for_dashboard:
            bound_for_dashboard(connection)
        version = schema_version(connection)
        if version == 0:
            raise StoreError(
                f"{path} is a DuckDB file but not a Revenue Relay store (no schema_version "
                f"table). The file was left as it is; point RELAY_DB at a store."
            )
        if version > LATEST_VERSION:
            migrate(connection)  # raises the "newer store" message
        if not read_only if check is None else check:
            forget_damage(path)  # checked again now
            if for_dashboard:
                _check_in_little_memory(connection, path)
            else:
                verify(connection, path)
        if version < LATEST_VERSION:
            if read_only:
                raise StoreError(
                    f"The store {path} has schema version {version}; this code needs "
                    f"{LATEST_VERSION}. Open it once read-write (start the dashboard) to upgrade."
                )
            migrate(connection)
    except duckdb.Error as error:
        connection.close()
        raise mark_damaged(path, error) or StoreError(
            f"Cannot open the store {path}: {error}") from error
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
    quarters: Collection[str] | None = None,
) -> T:
    """Run `work(cursor)` in one transaction, retrying when another writer got there first.
    A store found damaged is never written: StoreDamaged, also when the write finds it so; a
    full disk is StoreFull.

    DuckDB reports a write-write conflict as TransactionException at the conflicting
    statement or at commit; the whole transaction is rolled back and run again. After the
    last attempt the exception goes to the caller, who tells the user: as `busy` (with a
    message saying so) when given, else as DuckDB raised it.

    `idempotent_insert`: `work` only inserts rows "on conflict do nothing". Such an insert
    still fails with ConstraintException when another transaction committed the same key
    after this one began (the row is invisible to this snapshot but taken in the index):
    that is a write-write conflict too, and a fresh transaction sees the row and does
    nothing. Only then is ConstraintException retried; elsewhere it is a real duplicate.

    `quarters`: the writer's word that every row the work writes belongs to the goals or the
    plan records of these quarters (a change to a quarter's goals, a sign-off), told to the
    listeners so that pages of other quarters stay as they are.
    """
    check_writable(connection)
    conflicts: tuple[type[Exception], ...] = (duckdb.TransactionException,)
    if idempotent_insert:
        conflicts += (duckdb.ConstraintException,)
    try:
        return _write(connection, work, attempts, conflicts, quarters)
    except duckdb.Error as error:
        if _is_conflict(error, conflicts):
            if busy is None:
                raise
            raise busy(
                "Someone else was saving the same data at the same moment, so nothing was "
                f"saved. Try again in a moment. (DuckDB: {error})"
            ) from error
        described = described_error(connection, error)
        if described is None:
            raise
        raise described from error


def described_error(connection: duckdb.DuckDBPyConnection,
                    error: BaseException) -> StoreError | None:
    """For work on `connection` that failed because the store file is corrupt or cannot be
    written: the store is marked damaged and the StoreError saying so is returned; None for
    any other error."""
    try:
        path = database_path(connection)
    except duckdb.Error as unanswered:  # an invalidated database answers nothing at all
        return StoreDamaged(f"The store cannot be used any more ({unanswered}); restart the "
                            f"dashboard (or run the command again). Details: {error}")
    return mark_damaged(path, error)


def _is_conflict(error: BaseException, conflicts: tuple[type[Exception], ...]) -> bool:
    """Another writer got there first: not a commit the disk refused, which DuckDB reports
    as TransactionException too ("Failed to commit: Could not write file …")."""
    return isinstance(error, conflicts) and describe("the store", error) is None


def _write(connection, work, attempts, conflicts, quarters=None):
    for attempt in range(1, attempts + 1):
        with sql.cursor(connection) as cursor:
            try:
                # A shared store: its write lock held, the copy caught up first, and what
                # the work wrote saved there before DuckDB commits (relay.replica).
                with _shared_write(connection) as ship:
                    cursor.begin()
                    with sql.recording() as written:
                        result = work(cursor)
                        # The summaries of what the work wrote, when it did not refresh
                        # them itself (a campaign saved: what the store holds).
                        summaries.follow(cursor, written)
                    ship(cursor, written)
                    cursor.commit()
                committed(connection, written, quarters)
                return result
            except conflicts as error:
                _rollback_quietly(cursor)
                if attempt == attempts or not _is_conflict(error, conflicts):
                    raise
            except BaseException:
                _rollback_quietly(cursor)
                raise
        time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _rollback_quietly(cursor: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open (a failed commit has already ended it)."""
    try:
        cursor.rollback()
    except duckdb.Error:
        pass


# The connections a long-running process (the dashboard) holds, so that stopping it can write
# each store's WAL into its file and close it: `held` on open, `close_held` on the way out.
_held: dict[Path, duckdb.DuckDBPyConnection] = {}
_held_lock = threading.Lock()


def hold(path: Path, connection: duckdb.DuckDBPyConnection) -> None:
    with _held_lock:
        _held[Path(path).resolve()] = connection


def release(path: Path) -> duckdb.DuckDBPyConnection | None:
    """Forget a held connection (its owner closes it); the connection, if one was held."""
    with _held_lock:
        return _held.pop(Path(path).resolve(), None)


def held_paths() -> list[Path]:
    with _held_lock:
        return list(_held)


def checkpoint_and_close(connection: duckdb.DuckDBPyConnection) -> None:
    """Write the WAL into the store file and close: the file alone then holds every write.
    A transaction still open elsewhere on the connection (a page mid-write as the process
    stops) is rolled back rather than left to keep the WAL."""
    try:
        try:
            sql.execute(connection, "store_checkpoint")
        except duckdb.TransactionException:
            sql.execute(connection, "store_force_checkpoint")
    except duckdb.ConnectionException:
        return  # closed already
    finally:
        connection.close()


def close_held() -> list[Path]:
    """Checkpoint and close every held connection; the stores it closed."""
    closed = []
    for path in held_paths():
        connection = release(path)
        if connection is None:
            continue
        try:
            checkpoint_and_close(connection)
        except duckdb.Error:
            _LOG.exception("Could not checkpoint the store %s on the way out", path)
        closed.append(path)
    return closed


# The dashboard's connection lives as long as the app and serves every page: without a
# limit DuckDB keeps up to 80% of the machine's memory in its buffers (the app peaked at
# 1.66 GB RSS at 10M leads with every page visited). Python, Streamlit and the pages' frames
# take about 400 MB of their own, so DuckDB gets at most half a GiB and spills past it.
DASHBOARD_MEMORY_CAP = 512 << 20
THREADS_ENV = "RELAY_DUCKDB_THREADS"


def dashboard_memory_limit() -> str:
    """The memory_limit of the dashboard's connection: $RELAY_DUCKDB_MEMORY as for imports,
    else an eighth of this machine's memory, at most DASHBOARD_MEMORY_CAP (at least 256 MB)."""
    return _share_of_machine(8, DASHBOARD_MEMORY_CAP)


def dashboard_threads() -> int:
    """DuckDB's threads for the dashboard: $RELAY_DUCKDB_THREADS, else the cores this
    process may run on (a container's share, not the host's count DuckDB would take)."""
    given = os.environ.get(THREADS_ENV, "").strip()
    if given:
        if not given.isdigit() or int(given) < 1:
            raise StoreError(f"{THREADS_ENV}={given!r} is not a number of threads such as 2.")
        return int(given)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# The dashboard's check of the whole store (verify) streams every block once: under its
# own small limit DuckDB keeps few of them, and those few are dropped after it (a lower
# limit evicts them). Under the dashboard's limit the check kept 480 MB of blocks the pages
# never read again (at 10M leads the app peaked at 731 MB RSS during the check and stayed at
# 674 MB after it); under its own it peaks at 289 MB and leaves 251 MB.
CHECK_MEMORY = "64MB"
AFTER_CHECK_MEMORY = "8MB"


def _check_in_little_memory(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    sql.execute(connection, "store_set_memory_limit", limit=CHECK_MEMORY)
    try:
        verify(connection, path)
        sql.execute(connection, "store_set_memory_limit", limit=AFTER_CHECK_MEMORY)
    finally:
        bound_for_dashboard(connection)


def bound_for_dashboard(connection: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    """Set the dashboard connection's memory_limit and threads from the machine (or the
    environment); imports run inside it keep the lower of theirs and this (bounded_memory).
    Returns what was set."""
    limit, threads = _checked_size(dashboard_memory_limit()), dashboard_threads()
    sql.execute(connection, "store_set_memory_limit", limit=limit)
    sql.execute(connection, "store_set_threads", threads=threads)
    return limit, threads


# Called after every committed write with the store's path, the tables it wrote and, when
# the writer confined it to some quarters' goals and plan records, those quarters (else None):
# what depends on them (the dashboard's cached pages) follows. A listener must not fail the
# write, which has already happened.
_commit_listeners: list[Callable[[Path, frozenset[str], frozenset[str] | None], None]] = []


def on_commit(listener: Callable[[Path, frozenset[str], frozenset[str] | None], None]) -> None:
    """Call `listener(path, tables, quarters)` after each write this process commits (once
    per listener, however often it is registered)."""
    if listener not in _commit_listeners:
        _commit_listeners.append(listener)


def committed(connection: duckdb.DuckDBPyConnection, tables: set[str],
              quarters: Collection[str] | None = None) -> None:
    """Tell the listeners that a transaction on `connection` wrote `tables` and committed;
    `quarters` when every row it wrote belongs to those quarters' goals and plan records."""
    if not tables or not _commit_listeners:
        return
    path = database_path(connection)
    confined = None if quarters is None else frozenset(quarters)
    for listener in list(_commit_listeners):
        listener(path, frozenset(tables), confined)


def _shared_write(connection: duckdb.DuckDBPyConnection):
    """relay.replica.writing: nothing on the embedded store."""
    from relay import replica

    return replica.writing(connection)
