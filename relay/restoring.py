"""Putting a backup in place of the store, durably.

A backup file is checked before anything changes: it must be a Revenue Relay store this code
can open (schema not newer), and every block of it must read (DuckDB checks each block's
checksum as it reads it). Reading it, it is copied into a new, clean file beside the store
(`<store>.restoring`); a `.wal` the backup has beside it is part of the backup and is read
with it. Only then is the store, unheld by anyone, moved aside together with its write-ahead
log (`<store>.replaced-YYYYMMDD-HHMMSS` and its `.wal`: kept, never deleted), the copy renamed
into its place, opened (and upgraded if older) and the restore written to its audit log.

A refused restore changes nothing: the store and its log stay as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from relay import clock, identity, replica, sql, store
from relay.identity import Role

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None

SOURCE = "relay_restore_source"


class RestoreRefused(store.StoreError):
    """The backup cannot be put in place; nothing was changed."""


@dataclass(frozen=True)
class Restored:
    store_path: Path
    source: str
    kept: Path | None  # where the replaced store was moved; None if there was none
    schema_version: int  # the backup's, before any upgrade
    tables: int


def wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def restore(store_path: Path, backup: Path, *, source_name: str | None = None,
            release: Callable[[], None] = lambda: None) -> Restored:
    """Put the backup file `backup` in place of the store at `store_path`. `release` is
    called once the backup is checked and copied, before the store is swapped: the dashboard
    closes its connection there. `source_name`: how the audit log names the backup (an
    uploaded file's own name). Only an admin may restore."""
    actor = identity.require(Role.ADMIN, "restoring a backup").audit_name
    shared = replica.configured_url()
    if shared is not None:  # the file here is only this server's copy
        raise RestoreRefused(
            f"The store is shared (PostgreSQL at {replica.where(shared)}): restore the "
            f"database with pg_restore (docs/deploy.md); nothing was changed.")
    store_path = Path(store_path).resolve()
    backup = Path(backup).resolve()
    if not backup.is_file():
        raise RestoreRefused(f"{backup}: no such file; nothing was changed.")
    if backup in (store_path, wal(store_path)):
        raise RestoreRefused(f"{backup} is the store itself; restore from a backup file.")
    copy = store_path.with_name(store_path.name + ".restoring")
    _remove(copy)  # left by a restore that was stopped half-way: ours, never the store
    try:
        version, tables = _checked_copy(backup, copy, source_name or str(backup))
    except BaseException:
        _remove(copy)
        raise
    try:
        release()
        _refuse_if_held(store_path)
        kept = _swap(store_path, copy)
    except BaseException:
        _remove(copy)
        raise
    # Upgrades a backup from an older version; _checked_copy has read every block already.
    connection = store.open_store(store_path, check=False)
    try:
        stamp = {"from": source_name or str(backup), "schema_version": version,
                 "kept": str(kept) if kept else None}
        store.write(connection, lambda cursor: sql.execute(
            cursor, "insert_audit", at=clock.now(), actor=actor, action="restore",
            entity="store", entity_id=str(store_path), before=None,
            after=json.dumps(stamp)))
        sql.execute(connection, "store_checkpoint")
    finally:
        connection.close()
    return Restored(store_path, source_name or str(backup), kept, version, tables)


def _checked_copy(backup: Path, copy: Path, shown: str) -> tuple[int, int]:
    """Check the backup and copy it into the new file `copy`; (its schema version, tables).
    `shown`: how messages name the backup (an upload by its own name)."""
    connection = duckdb.connect(str(copy))
    try:
        try:
            sql.execute(connection, "restore_attach_backup", identifiers={"source": SOURCE},
                        backup=str(backup))
        except duckdb.Error as error:
            raise RestoreRefused(_unreadable(shown, error)) from error
        version = _backup_version(connection, shown)
        try:
            tables = store.verify(connection, backup, database=SOURCE)
        except store.StoreError as error:
            details = str(error.__cause__ or error).splitlines()[0]
            raise RestoreRefused(
                f"{shown} is damaged (DuckDB found data in it that fails its checks), so it "
                f"was not restored and nothing was changed; try an older backup. Details: "
                f"{details}") from error
        database = sql.CatalogName(sql.scalar(connection, "current_database"))
        try:
            sql.execute(connection, "restore_copy_backup",
                        identifiers={"source": SOURCE, "database": database})
        except duckdb.Error as error:
            raise (store.describe(copy, error) or RestoreRefused(
                f"{shown} could not be copied, so nothing was changed: {error}")) from error
    finally:
        connection.close()
    if wal(copy).exists():
        raise RestoreRefused(f"The copy of {shown} was not written completely; nothing was "
                             "changed.")
    return version, tables


def _unreadable(backup: str, error: duckdb.Error) -> str:
    text = str(error)
    if store.STALE_WAL_MARKER in text.lower():
        return (f"{backup} has a write-ahead log {backup}.wal beside it that belongs to "
                f"another file, so it was not restored and nothing was changed. Move "
                f"{backup}.wal aside if it is stale, then restore again. Details: {text}")
    return (f"{backup} is not a Revenue Relay store this version can read (not a DuckDB "
            f"file, damaged, or written by a newer DuckDB); nothing was changed. "
            f"Details: {text.splitlines()[0]}")


def _backup_version(connection: duckdb.DuckDBPyConnection, backup: str) -> int:
    known = sql.scalar(connection, "restore_backup_has_schema", source=SOURCE)
    if not known:
        raise RestoreRefused(f"{backup} is a DuckDB file but not a Revenue Relay store (no "
                             "schema_version table); nothing was changed.")
    version = sql.scalar(connection, "restore_backup_version", identifiers={"source": SOURCE})
    if version > store.LATEST_VERSION:
        raise RestoreRefused(
            f"{backup} was written by a newer Revenue Relay (schema version {version}; this "
            f"one knows up to {store.LATEST_VERSION}). Upgrade Revenue Relay to restore it; "
            "nothing was changed.")
    if version < 1:
        raise RestoreRefused(f"{backup} holds no Revenue Relay schema; nothing was changed.")
    return version


def _refuse_if_held(store_path: Path) -> None:
    """StoreLocked when another process has the store open (DuckDB locks the file with
    fcntl; a lock this process holds does not count: the dashboard released its own)."""
    if fcntl is None or not store_path.exists():
        return
    with store_path.open("r+b") as handle:  # for writing: an exclusive lock needs it
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            raise store.StoreLocked(
                f"The store {store_path} is in use by another process (the dashboard?), so "
                "nothing was changed. Restore on the dashboard's Data page (Downloads and "
                "backup), or stop the dashboard and run this again.") from error
        fcntl.lockf(handle, fcntl.LOCK_UN)


def _swap(store_path: Path, copy: Path) -> Path | None:
    """Move the store and its log aside, the copy into place; where the store was kept."""
    if not store_path.exists():
        if wal(store_path).exists():
            raise RestoreRefused(f"{wal(store_path)} is there without its store; move it "
                                 "aside first. Nothing was changed.")
        os.replace(copy, store_path)
        _sync(store_path.parent)
        return None
    # The real time, not the dashboard's day: the kept file sits among others on disk, and
    # whoever looks for it goes by when the restore happened.
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = store_path.with_name(f"{store_path.name}.replaced-{stamp}")
    number = 1
    while kept.exists() or wal(kept).exists():
        number += 1
        kept = store_path.with_name(f"{store_path.name}.replaced-{stamp}-{number}")
    os.rename(store_path, kept)
    try:
        if wal(store_path).exists():
            os.rename(wal(store_path), wal(kept))
        os.replace(copy, store_path)
    except BaseException:
        if wal(kept).exists() and not wal(store_path).exists():
            os.rename(wal(kept), wal(store_path))
        if not store_path.exists():
            os.rename(kept, store_path)
        raise
    _sync(store_path.parent)
    return kept


def _sync(folder: Path) -> None:
    """Make the renames durable."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _remove(copy: Path) -> None:
    copy.unlink(missing_ok=True)
    wal(copy).unlink(missing_ok=True)
