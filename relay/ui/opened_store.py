"""The store as the dashboard holds it: one read-write connection per process, cursors of it
for the pages, and what to show when the store itself fails."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import streamlit as st

from relay import handoff, replica, serving, store
from relay.identity import Role
from relay.ui.roles import may
from relay.ui.widgets import plain

# Store files this process has read in full (store.file_identity): a restored store is a
# new file.
_checked: set[tuple[str, int | None]] = set()
# Held while the store is opened and while a restore swaps the file: a page run of another
# session meanwhile waits, then opens the restored store (never the one being replaced).
STORE_LOCK = threading.RLock()


@st.cache_resource(show_spinner=False)
def connection(path: str):
    """The process's one read-write connection to the store; pages use cursors of it. Its
    inbox worker takes the imports and exports the command line hands over while the
    dashboard holds the store. The first opening of a store file in this process reads all
    of it (a corrupt one is refused with StoreDamaged, which every page shows); reopening the
    same file after `restart` does not read it again."""
    with STORE_LOCK:
        file = store.file_identity(path)
        # memory_limit and threads from the machine, before the first opening reads it all
        # (a shared store's copy is bounded once caught up).
        opened = store.open_store(Path(path), check=file not in _checked, for_dashboard=True)
        _checked.add(file)
        store.bound_for_dashboard(opened)
        # Stopping the dashboard checkpoints and closes it (serve.py's lifespan, else at exit).
        store.hold(Path(path), opened)
        serving.stop_at_exit()
        # What a handed-over import writes, and what a shared store's copy takes from the
        # other replicas, reaches the cached pages as every write does (store.on_commit,
        # relay.ui.cache): nothing more to forget here.
        handoff.start_worker(Path(path), opened, on_change=lambda: None)
        replica.follow(Path(path))
        return opened


def data_changed() -> None:
    """Forget every cached result: for a store replaced or reopened as a whole (restore,
    restart). A write through store.write or an import needs no call: the cache hears the
    tables it wrote and recomputes only what read them (relay.ui.cache)."""
    st.cache_data.clear()


def restart(path: str) -> None:
    """Close the store (if this process holds it) and forget every cached result, as a
    restarted dashboard would; the next page run opens it again."""
    with STORE_LOCK:
        handoff.stop_worker(Path(path))
        replica.stop_following(Path(path))
        held = store.release(Path(path))
        if held is not None:
            store.checkpoint_and_close(held)
        st.cache_resource.clear()
        data_changed()


@contextmanager
def cursor(path: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the dashboard's connection, closed when the block ends."""
    opened = connection(path).cursor()
    try:
        yield opened
    finally:
        opened.close()


def store_failure(error: BaseException) -> store.StoreError | None:
    """What to tell the user when `error` means the store itself failed (corrupt, a full disk,
    an I/O error, or it cannot be opened); the store is marked damaged so that nothing more is
    written to it. None for any other error."""
    if isinstance(error, store.StoreError):
        return error
    if isinstance(error, duckdb.Error):
        return store.mark_damaged(store.default_path(), error)
    return None


def show_store_failure(error: BaseException) -> bool:
    """Show the message of a failed store in place of the page (where the store lives only
    to an admin); whether it was one."""
    failure = store_failure(error)
    if failure is None:
        return False
    st.error(plain(store_message(failure, str(store.default_path()))), icon=":material/error:")
    return True


def store_message(failure: store.StoreError, path: str) -> str:
    """A store problem as the person acting may read it: where the store lives, and how to
    mend it, is for an admin's eyes; others read "the store" and that an admin mends it."""
    if may(Role.ADMIN):
        return str(failure)
    return failure.public or store.without_path(str(failure), Path(path))
