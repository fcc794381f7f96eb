"""The shared store: PostgreSQL holds the data and takes every write; each process (an app
replica, a command) reads its own DuckDB copy, kept current from PostgreSQL's change log.

Chosen by RELAY_STORE=postgresql://…; unset, the store is the embedded DuckDB file and none
of this runs. The domain code is the same on both: it reads and writes its DuckDB
connection, and relay.store.write (and an import's transaction) call `writing`, which here

1. takes the shared store's one write lock (a PostgreSQL advisory lock held to the end of
   the PostgreSQL transaction), so that writes of every replica run one after another;
2. catches the copy up with every change before it, so that the version checks in DuckDB
   see every other replica's saves (a save is refused when someone else saved first);
3. after the work ran in the DuckDB transaction, ships the rows it wrote (the tables
   relay.sql recorded) to PostgreSQL with one change_log row, commits PostgreSQL, and only
   then lets DuckDB commit: when PostgreSQL fails, nothing is saved anywhere.

How a written table travels (`TAKEN`): the tables that only ever get rows added go as the
rows the transaction added; leads and deals, which an import writes by key, as the rows of
the keys it wrote; every other table (all small) whole. Each PostgreSQL row carries _seq,
the change that wrote it, so a replica catching up reads just the rows of the changes it
lacks, in one consistent snapshot.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import psycopg
import psycopg_pool

from relay import PROJECT_ROOT, layouts, sql, store, summaries

URL_ENV = "RELAY_STORE"
POLL_ENV = "RELAY_REPLICA_POLL_SECONDS"
TIMEOUT_ENV = "RELAY_STORE_TIMEOUT_SECONDS"
DEFAULT_POLL_SECONDS = 2.0
DEFAULT_TIMEOUT_SECONDS = 5.0
_LOG = logging.getLogger(__name__)

# How the replicas take a written table: its added rows ("append"), the rows of the keys an
# import wrote ("keys"), or the whole table ("replace", every other table: all small).
APPENDED = frozenset({"audit_log", "import_runs", "import_row_changes", "deal_history"})
# The key columns each of these tables' imports write rows by (relay.layouts).
KEYS = {name: layouts.TABLES[name].key for name in ("leads", "deals", "touches")}
# Not shared: the summaries (each copy rebuilds its own), the schema's own record, and the
# copy's bookkeeping.
NOT_SHARED = frozenset(summaries.SOURCES) | {"schema_version", "replica_position"}


class SharedStoreUnreachable(store.StoreError):
    """PostgreSQL does not answer: nothing was saved; reads go on from the local copy."""


def configured_url() -> str | None:
    """The shared store's address ($RELAY_STORE), or None for the embedded DuckDB file."""
    url = os.environ.get(URL_ENV, "").strip()
    return url or None


def where(url: str) -> str:
    """host:port of a PostgreSQL address, for messages (never its password)."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"


def default_copy_path(url: str) -> Path:
    """This machine's copy of the shared store at `url`: one file per database, in data/."""
    parts = urlsplit(url)
    name = f"{parts.hostname}:{parts.port}/{parts.path.lstrip('/')}"
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return PROJECT_ROOT / "data" / f"replica-{digest}.duckdb"


def poll_seconds() -> float:
    return float(os.environ.get(POLL_ENV) or DEFAULT_POLL_SECONDS)


def _timeout() -> float:
    return float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT_SECONDS)


def unreachable(url: str, error: BaseException, doing: str) -> SharedStoreUnreachable:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return SharedStoreUnreachable(
        f"The shared store (PostgreSQL at {where(url)}) cannot be reached, so {doing}. "
        f"Nothing is lost: what you were saving is still here, and the pages go on showing "
        f"this server's copy of the data. Try again once the database answers. "
        f"Details: {text}",
        f"The shared store cannot be reached, so {doing}. Nothing is lost: try again in a "
        f"moment; an admin checks the database server if it goes on.")


# ------------------------------------------------------------------- PostgreSQL side

_pools: dict[str, psycopg_pool.ConnectionPool] = {}
_pools_lock = threading.Lock()


def _pool(url: str) -> psycopg_pool.ConnectionPool:
    with _pools_lock:
        pool = _pools.get(url)
        if pool is None:
            pool = psycopg_pool.ConnectionPool(
                url, min_size=1, max_size=4, open=True, timeout=_timeout(),
                kwargs={"connect_timeout": max(1, round(_timeout()))},
                name=f"relay {where(url)}")
            _pools[url] = pool
        return pool


def close_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


@contextmanager
def _connection(url: str, doing: str) -> Iterator[psycopg.Connection]:
    """A pooled connection; SharedStoreUnreachable when PostgreSQL does not answer."""
    try:
        with _pool(url).connection() as pg:
            yield pg
    except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
        raise unreachable(url, error, doing) from error


def _pg(name: str, **identifiers) -> str:
    """The text of queries/postgres/<name>.sql with its identifiers put in (relay.sql)."""
    return sql.with_identifiers(f"postgres/{name}", **identifiers)


def _pg_value(pg: psycopg.Connection, name: str, **params):
    return pg.execute(_pg(name), params).fetchone()[0]


def _ensure_schema(pg: psycopg.Connection) -> None:
    """The shared store's tables (queries/postgres/schema.sql), created if missing."""
    pg.execute(_pg("lock"))
    pg.execute(sql.load("postgres/schema"))


def _copy_out(pg: psycopg.Connection, query: str, params: dict, path: Path) -> None:
    with pg.cursor() as cursor, cursor.copy(query, params) as copy, open(path, "wb") as out:
        for data in copy:
            out.write(data)


def _copy_in(pg: psycopg.Connection, query: str, path: Path) -> None:
    with pg.cursor() as cursor, cursor.copy(query) as copy, open(path, "rb") as source:
        while data := source.read(1 << 20):
            copy.write(data)


# ------------------------------------------------------------------- DuckDB side


_tables_read: dict[str, list[sql.CatalogName]] = {}


def shared_tables(cursor: duckdb.DuckDBPyConnection) -> dict[str, list[sql.CatalogName]]:
    """{table: its columns in order} of the tables a copy shares with PostgreSQL. Read from
    the catalog once per process (it took a fifth of a goal save): every store this code
    opens has its schema (store.open_file upgrades or refuses any other)."""
    if not _tables_read:
        _tables_read.update(
            {sql.CatalogName(table): [sql.CatalogName(column) for column in columns]
             for table, columns in sql.rows(cursor, "replica_tables")
             if table not in NOT_SHARED})
    return _tables_read


def _names(table: str, columns: list[str], key: tuple[str, ...] | None = None) -> dict:
    names = {"table": table, "columns": columns}
    if key is not None:
        names["key"] = key
    return names


def _push(pg: psycopg.Connection, cursor: duckdb.DuckDBPyConnection,
          plan: dict[str, str], folder: Path) -> int:
    """Write `plan`'s tables ({table: how}) from the DuckDB transaction on `cursor` to
    PostgreSQL as one change; its number."""
    columns = shared_tables(cursor)
    seq = _pg_value(pg, "insert_change", tables=json.dumps(plan))
    pg.execute(_pg("use_seq"), {"seq": str(seq)})
    for table in sorted(name for name in columns if name in plan):  # names from the catalog
        how = plan[table]
        path = folder / f"{table}.csv"
        key = KEYS.get(table)
        export = {"replace": "replica_export_all", "append": "replica_export_appended",
                  "keys": "replica_export_keyed"}[how]
        sql.execute(cursor, export, path=str(path),
                    identifiers=_names(table, columns[table], key if how == "keys" else None))
        if how == "replace":
            pg.execute(_pg("delete_all", table=table))
        if how == "keys":
            pg.execute(_pg("incoming_create", **_names(table, columns[table])))
            _copy_in(pg, _pg("incoming_copy", columns=columns[table]), path)
            pg.execute(_pg("incoming_replace", **_names(table, columns[table], key)))
        else:
            _copy_in(pg, _pg("copy_in", **_names(table, columns[table])), path)
        path.unlink()
    return seq


def _pull(pg: psycopg.Connection, cursor: duckdb.DuckDBPyConnection, plan: dict[str, str],
          after: int, upto: int, folder: Path) -> None:
    """Apply to the DuckDB transaction on `cursor` what the changes after `after` up to
    `upto` did to `plan`'s tables ({table: how})."""
    columns = shared_tables(cursor)
    # Names from the catalog; a table this code does not know is left to newer replicas.
    for table in sorted(name for name in columns if name in plan):
        how = plan[table]
        path = folder / f"{table}.csv"
        names = _names(table, columns[table])
        if how == "replace":
            _copy_out(pg, _pg("copy_out_table", **names), {}, path)
            sql.execute(cursor, "replica_delete_all", identifiers={"table": table})
        else:
            _copy_out(pg, _pg("copy_out_changed", **names), {"after": after, "upto": upto},
                      path)
        if path.stat().st_size == 0:
            pass  # no rows (DuckDB's CSV reader refuses an empty file)
        elif how == "keys":
            sql.execute(cursor, "replica_incoming_create", identifiers=names)
            sql.execute(cursor, "replica_incoming_copy", path=str(path))
            sql.execute(cursor, "replica_incoming_replace",
                        identifiers=_names(table, columns[table], KEYS[table]))
        else:
            sql.execute(cursor, "replica_copy_in", path=str(path), identifiers=names)
        path.unlink()
    if "goals" in plan:
        sql.execute(cursor, "replica_bump_goal_ids")
    if "import_runs" in plan:
        sql.execute(cursor, "replica_bump_import_ids")


def _how(cursor: duckdb.DuckDBPyConnection, table: str) -> str:
    """How the replicas take `table` as the transaction on `cursor` wrote it."""
    if table in APPENDED:
        return "append"
    if table in KEYS and sql.scalar(cursor, "replica_import_keys_known",
                                     keys=list(KEYS[table])):
        return "keys"
    return "replace"  # small tables; leads or deals only when a people import merged owners


def _merged(plans: list[dict[str, str]]) -> dict[str, str]:
    """One plan for several changes: a table taken whole once is taken whole."""
    merged: dict[str, str] = {}
    for plan in plans:
        for table, how in plan.items():
            merged[table] = "replace" if "replace" in (how, merged.get(table)) else how
    return merged


# ------------------------------------------------------------------- a replica


@dataclass(eq=False)
class Replica:
    """One DuckDB copy of the shared store at `url`, held open by this process."""

    url: str
    path: Path
    connection: duckdb.DuckDBPyConnection
    store_id: str
    seq: int
    fresh_at: float = field(default_factory=time.time)  # the copy was current then
    lock: threading.RLock = field(default_factory=threading.RLock)
    stop: threading.Event = field(default_factory=threading.Event)
    poller: threading.Thread | None = None

    def catch_up(self, pg: psycopg.Connection) -> set[str]:
        """Apply every change after the one the copy holds, in one DuckDB transaction with
        the summaries rebuilt; tell the commit listeners. The tables changed."""
        with self.lock:
            upto = _pg_value(pg, "latest_seq")
            if upto <= self.seq:
                self.fresh_at = time.time()
                return set()
            changes = pg.execute(_pg("changes_since"), {"after": self.seq, "upto": upto})
            plan = _merged([tables for _, tables in changes.fetchall()])
            with sql.cursor(self.connection) as cursor, _scratch(self.path) as folder:
                cursor.begin()
                try:
                    _pull(pg, cursor, plan, self.seq, upto, folder)
                    rebuilt = summaries.refresh(cursor, plan)
                    sql.execute(cursor, "replica_set_position", store_id=self.store_id,
                                seq=upto)
                    cursor.commit()
                except BaseException:
                    _rollback(cursor)
                    raise
            self.seq = upto
            self.fresh_at = time.time()
        store.committed(self.connection, set(plan) | set(rebuilt))
        return set(plan)

    def poll_once(self) -> set[str]:
        """Catch up from a consistent snapshot of the shared store; the tables changed.
        SharedStoreUnreachable when PostgreSQL does not answer."""
        with _connection(self.url, "the data could not be refreshed") as pg:
            with pg.transaction():
                pg.execute(_pg("snapshot"))
                return self.catch_up(pg)

    def follow(self, on_change: Callable[[], None] | None = None) -> None:
        """Poll the shared store every poll_seconds() in a background thread; `on_change`
        is called after each poll that brought changes (the dashboard's cached pages)."""
        if self.poller is not None:
            return

        def run():
            while not self.stop.wait(poll_seconds()):
                try:
                    if self.poll_once() and on_change is not None:
                        on_change()
                except SharedStoreUnreachable as error:
                    _LOG.warning("%s", error)
                except Exception:  # noqa: BLE001 (polling goes on; the page says how old)
                    if self.stop.is_set():
                        return  # the copy was closed meanwhile
                    _LOG.exception("Could not apply the shared store's changes to %s",
                                   self.path)

        self.poller = threading.Thread(target=run, name=f"relay replica {self.path.name}",
                                       daemon=True)
        self.poller.start()

    def close(self) -> None:
        self.stop.set()
        if self.poller is not None:
            self.poller.join(timeout=10)
        _replicas.pop(store._key(self.path), None)


_replicas: dict[str, Replica] = {}


def for_connection(connection: duckdb.DuckDBPyConnection) -> Replica | None:
    """The replica whose copy `connection` is, or None (the embedded store)."""
    if not _replicas:
        return None
    return _replicas.get(store._key(store.database_path(connection)))


def for_path(path: Path | str) -> Replica | None:
    return _replicas.get(store._key(path))


def follow(path: Path, on_change: Callable[[], None] | None = None) -> None:
    """Keep the copy at `path` current in the background (nothing for the embedded store)."""
    found = for_path(path)
    if found is not None:
        found.follow(on_change)


def stop_following(path: Path) -> None:
    """Before the copy at `path` is closed: its polling stops."""
    found = for_path(path)
    if found is not None:
        found.close()


@contextmanager
def _scratch(near: Path | None = None) -> Iterator[Path]:
    """A folder for the CSV files on their way, beside the copy `near` (its disk has room;
    None: the system's temporary folder)."""
    folder = Path(tempfile.mkdtemp(prefix=".relay-transfer-",
                                   dir=None if near is None else Path(near).parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _rollback(cursor: duckdb.DuckDBPyConnection) -> None:
    try:
        cursor.rollback()
    except duckdb.Error:
        pass


# ------------------------------------------------------------------- writing

Ship = Callable[[duckdb.DuckDBPyConnection, set[str]], None]


def _ship_nothing(cursor: duckdb.DuckDBPyConnection, written: set[str]) -> None:
    """The embedded store: DuckDB's own commit is the whole write."""


@contextmanager
def writing(connection: duckdb.DuckDBPyConnection) -> Iterator[Ship]:
    """Around a write's DuckDB transaction (begin … commit): yields `ship(cursor, written)`,
    to call after the work and before DuckDB commits. On the embedded store it does
    nothing. On a replica: the shared write lock is held and the copy caught up before the
    block; `ship` sends what the transaction wrote to PostgreSQL and commits it there
    (SharedStoreUnreachable when PostgreSQL fails: the caller rolls DuckDB back)."""
    replica = for_connection(connection)
    if replica is None:
        yield _ship_nothing
        return
    doing = "nothing was saved"
    with replica.lock, _connection(replica.url, doing) as pg:
        shipped: list[int] = []
        try:
            pg.execute(_pg("lock"))
            replica.catch_up(pg)

            def ship(cursor: duckdb.DuckDBPyConnection, written: set[str]) -> None:
                plan = {table: _how(cursor, table)
                        for table in shared_tables(cursor) if table in written}
                if plan:
                    with _scratch(replica.path) as folder:
                        seq = _push(pg, cursor, plan, folder)
                    sql.execute(cursor, "replica_set_position", store_id=replica.store_id,
                                seq=seq)
                    shipped.append(seq)
                pg.commit()

            yield ship
            if shipped:  # DuckDB committed too: the copy holds this change (said under the
                # lock, so that the poller never applies the change to the copy again)
                replica.seq = shipped[-1]
                replica.fresh_at = time.time()
        except psycopg.OperationalError as error:
            raise unreachable(replica.url, error, doing) from error
        except psycopg.Error as error:
            raise store.StoreError(
                f"The shared store (PostgreSQL at {where(replica.url)}) refused this write, "
                f"so nothing was saved. Details: {str(error).strip().splitlines()[0]}",
                "The shared store refused this write, so nothing was saved. An admin finds "
                "the details in the dashboard's log.") from error
        finally:
            _end(pg)


def _end(pg: psycopg.Connection) -> None:
    """Roll back what was not committed (the lock goes with it); a connection that broke
    meanwhile has nothing left to roll back."""
    try:
        if pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            pg.rollback()
    except psycopg.Error:
        pass


# ------------------------------------------------------------------- opening a copy


def open_copy(path: Path | str, url: str | None = None) -> duckdb.DuckDBPyConnection:
    """This process's DuckDB copy of the shared store at `url` (default $RELAY_STORE), at
    `path`: caught up if the file holds an earlier copy of the same store, else loaded in
    full. PostgreSQL unreachable: an existing copy opens as it is (reads go on)."""
    url = url or configured_url()
    path = Path(path)
    if url is None:
        raise store.StoreError(f"{URL_ENV} is not set: there is no shared store to copy.")
    try:
        with _connection(url, "this copy could not be opened") as pg:
            with pg.transaction():
                _ensure_schema(pg)
                _check_version(pg, url)
                if _pg_value(pg, "schema_version") == 0:
                    _fill_new(pg)
            with pg.transaction():
                pg.execute(_pg("snapshot"))
                try:
                    return _open_caught_up(pg, url, path)
                except store.StoreLocked:
                    # Another process (the dashboard) holds this machine's copy: a command
                    # works on a copy of its own, for as long as it runs.
                    return _open_caught_up(pg, url, _private_copy(path))
    except SharedStoreUnreachable:
        if not path.exists():
            raise
        _LOG.warning("The shared store at %s does not answer: %s opens as it is",
                     where(url), path)
        connection = store.open_file(path)
        position = _position(connection, path)
        _register(Replica(url, path, connection, position[0] if position else "",
                          position[1] if position else 0, fresh_at=_modified(path)))
        return connection


def _private_copy(path: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="relay-copy-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder / path.name


def _modified(path: Path) -> float:
    return path.stat().st_mtime


def _check_version(pg: psycopg.Connection, url: str) -> None:
    version = _pg_value(pg, "schema_version")
    if version > store.LATEST_VERSION:
        raise store.StoreError(
            f"The shared store (PostgreSQL at {where(url)}) was written by a newer Revenue "
            f"Relay (schema version {version}; this one knows up to {store.LATEST_VERSION}). "
            f"Upgrade this replica.")
    if 0 < version < store.LATEST_VERSION:
        raise store.StoreError(
            f"The shared store (PostgreSQL at {where(url)}) has schema version {version}; "
            f"this Revenue Relay needs {store.LATEST_VERSION}. Upgrading a shared store is "
            f"not done by the replicas: see docs/deploy.md.")


def _fill_new(pg: psycopg.Connection) -> None:
    """An empty shared store gets what a new store holds (its store_id, the default stage
    mappings): from a new DuckDB store, so the migrations stay the one source."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = store.create(Path(folder) / "new.duckdb")
        try:
            _publish_from(pg, fresh)
        finally:
            fresh.close()


def _publish_from(pg: psycopg.Connection, source: duckdb.DuckDBPyConnection) -> int:
    """Every shared table of the store `source` into an empty shared store, as one change."""
    with sql.cursor(source) as cursor, _scratch() as folder:
        plan = dict.fromkeys(shared_tables(cursor), "replace")
        seq = _push(pg, cursor, plan, folder)
        for version, description, applied_at in sql.rows(cursor, "replica_schema_versions"):
            pg.execute(_pg("insert_schema_version"), {
                "version": version, "description": description, "applied_at": applied_at})
    return seq


def publish(source_path: Path, url: str | None = None) -> int:
    """Load the store file at `source_path` into an empty shared store (moving from the
    embedded store to PostgreSQL); the rows written. Refused when the shared store holds
    data already."""
    url = url or configured_url()
    if url is None:
        raise store.StoreError(f"Set {URL_ENV}=postgresql://… to the shared store first.")
    source = store.open_file(Path(source_path), read_only=True, check=False)
    try:
        with _connection(url, "nothing was loaded") as pg, pg.transaction():
            _ensure_schema(pg)
            if _pg_value(pg, "schema_version") != 0:
                raise store.StoreError(
                    f"The shared store (PostgreSQL at {where(url)}) holds a store already; "
                    f"nothing was loaded. Load into an empty database.")
            _publish_from(pg, source)
        with sql.cursor(source) as cursor:
            return sum(sql.scalar(cursor, "count_rows", identifiers={"table": table})
                       for table in shared_tables(cursor))
    finally:
        source.close()


def _position(connection: duckdb.DuckDBPyConnection, path: Path) -> tuple[str, int] | None:
    """(store_id, seq) of the copy at `path`; a store file that is not a copy is refused
    (it is never loaded over: it may be someone's embedded store)."""
    with sql.cursor(connection) as cursor:
        if not sql.scalar(cursor, "replica_position_kept"):
            connection.close()
            raise store.StoreError(
                f"{path} is a store of its own, not a copy of the shared store, so it was "
                f"left as it is. Point RELAY_DB at another file for this machine's copy (or "
                f"unset it), or load this store into the shared one with `python -m relay "
                f"load-shared {path}`.")
        found = sql.rows(cursor, "replica_position")
    return (found[0][0], found[0][1]) if found else None


def _open_caught_up(pg: psycopg.Connection, url: str, path: Path) -> duckdb.DuckDBPyConnection:
    store_id = _pg_value(pg, "store_id")
    latest = _pg_value(pg, "latest_seq")
    connection = None
    if path.exists():
        connection = store.open_file(path)
        position = _position(connection, path)
        if position is None or position[0] != store_id or position[1] > latest:
            connection.close()  # another store, or a later one: this copy is no use
            connection = None
    if connection is None:
        connection = _load_in_full(pg, path, store_id, latest)
        position = (store_id, latest)
    replica = _register(Replica(url, path, connection, store_id, position[1]))
    replica.catch_up(pg)
    return connection


def _register(replica: Replica) -> Replica:
    previous = _replicas.get(store._key(replica.path))
    if previous is not None:
        previous.close()
    _replicas[store._key(replica.path)] = replica
    return replica


def _load_in_full(pg: psycopg.Connection, path: Path, store_id: str,
                  upto: int) -> duckdb.DuckDBPyConnection:
    """A new copy at `path` holding every shared table as of change `upto`: built beside
    it and put in place whole (a copy cut short by a crash is never opened)."""
    building = path.with_name(f".{path.name}.loading")
    for stale in (building, Path(f"{building}.wal")):
        stale.unlink(missing_ok=True)
    connection = store.create(building)
    try:
        with sql.cursor(connection) as cursor, _scratch(path) as folder:
            cursor.begin()
            tables = shared_tables(cursor)
            _pull(pg, cursor, dict.fromkeys(tables, "replace"), 0, upto, folder)
            summaries.refresh(cursor, summaries.SOURCES["deal_states"])
            sql.execute(cursor, "replica_position_create")
            sql.execute(cursor, "replica_set_position", store_id=store_id, seq=upto)
            cursor.commit()
        store.checkpoint_and_close(connection)
    except BaseException:
        connection.close()
        building.unlink(missing_ok=True)
        raise
    for old in (path, Path(f"{path}.wal")):
        old.unlink(missing_ok=True)
    building.replace(path)
    return store.open_file(path, check=False)


def freshness(path: Path | str, now: float | None = None) -> str | None:
    """What a page says about how fresh its data is: None on the embedded store and while
    the copy is current (caught up within the polling interval), else when it was last."""
    replica = for_path(path)
    if replica is None:
        return None
    now = time.time() if now is None else now
    age = now - replica.fresh_at
    if age <= 2 * poll_seconds() + 1:
        return None
    as_of = dt.datetime.fromtimestamp(replica.fresh_at, dt.UTC).strftime("%H:%M:%S UTC")
    minutes = int(age // 60)
    ago = f"{minutes} min" if minutes else f"{int(age)} s"
    return (f"Data as of {as_of} ({ago} ago): the shared store has not answered since, so "
            f"this page shows this server's copy.")
