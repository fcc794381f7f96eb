"""Files uploaded on the Data page, kept on disk while they are previewed (DuckDB reads
files) and deleted when their import ends.

They are CRM exports: the folder is the user's own (one per uid, mode 0700, refused when
someone else made it or may look in; see relay.private), each file is written 0600, and a
file whose preview was never imported is removed a day later, when another is saved.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import duckdb

from relay import importing, layouts, private

MAX_AGE_SECONDS = 24 * 3600
PURPOSE = "the Data page's uploaded files"


def folder() -> Path:
    """This user's upload folder, made if missing; private.NotPrivate if it is not only
    theirs."""
    where = Path(tempfile.gettempdir()) / f"revenue-relay-uploads-{os.getuid()}"
    return private.folder(where, PURPOSE)


def save(data: bytes, suffix: str) -> Path:
    """The upload on disk, named by its content so that the page's reruns reuse it."""
    where = folder()
    path = where / f"{hashlib.sha256(data).hexdigest()[:16]}{suffix.lower()}"
    if path.exists():
        os.utime(path)  # in use: not swept
        return path
    sweep(where)
    private.write_bytes(path, data)
    return path


def sweep(where: Path, max_age: float = MAX_AGE_SECONDS) -> list[Path]:
    """Remove the uploads (and partial writes) older than `max_age` seconds; those removed."""
    removed = []
    cutoff = time.time() - max_age
    for path in where.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # removed meanwhile by another session
            pass
    return removed


def import_file(connection: duckdb.DuckDBPyConnection, path: Path, table: str, *,
                file_name: str, layout: str | layouts.Layout | None,
                expect: dict[str, int] | None,
                date_format: str | None = None) -> importing.Outcome:
    """Import an uploaded file (importing.run) and delete it, whatever the outcome: imported,
    refused, or failed. A page that shows its preview again saves it anew."""
    try:
        return importing.run(connection, path, table, file_name=file_name, layout=layout,
                             expect=expect, date_format=date_format)
    finally:
        Path(path).unlink(missing_ok=True)
