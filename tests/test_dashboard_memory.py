"""The dashboard's DuckDB connection runs under a memory_limit and a number of threads set from
the machine (or the environment), so that the app stays within about 1 GB however large the
store; an import inside it keeps the lower of its own limit and the dashboard's."""

import os

import pytest

from relay import store
from relay.ui import opened_store

GIB = 1 << 30


def _settings(connection) -> tuple[str, int]:
    return connection.execute("select current_setting('memory_limit'), "
                              "current_setting('threads')").fetchall()[0]


@pytest.fixture
def machine(monkeypatch):
    """A machine of the given memory and cores, in place of this one."""
    def make(memory: int, cores: int) -> None:
        pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": memory // 4096}
        monkeypatch.setattr(os, "sysconf", lambda name: pages[name])
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)))
    monkeypatch.delenv(store.IMPORT_MEMORY_ENV, raising=False)
    monkeypatch.delenv(store.THREADS_ENV, raising=False)
    return make


def test_an_eighth_of_the_machine_at_most_half_a_gib_and_its_cores(machine):
    machine(16 * GIB, 2)
    assert (store.dashboard_memory_limit(), store.dashboard_threads()) == ("512MB", 2)
    machine(3 * GIB, 8)  # an eighth: 384 MB
    assert (store.dashboard_memory_limit(), store.dashboard_threads()) == ("384MB", 8)
    machine(1 * GIB, 1)  # never below 256 MB
    assert (store.dashboard_memory_limit(), store.dashboard_threads()) == ("256MB", 1)


def test_the_environment_overrides_the_machine(machine, monkeypatch, empty_path):
    machine(16 * GIB, 2)
    monkeypatch.setenv(store.IMPORT_MEMORY_ENV, "300MB")
    monkeypatch.setenv(store.THREADS_ENV, "1")
    connection = store.open_store(empty_path)
    try:
        assert store.bound_for_dashboard(connection) == ("300MB", 1)
        assert _settings(connection) == ("286.1 MiB", 1)
    finally:
        connection.close()


def test_a_bad_thread_count_is_refused_saying_where(machine, monkeypatch):
    monkeypatch.setenv(store.THREADS_ENV, "two")
    with pytest.raises(store.StoreError, match=r"RELAY_DUCKDB_THREADS='two' is not a number"):
        store.dashboard_threads()


def test_the_dashboards_connection_is_bounded(machine, fixture_path):
    machine(16 * GIB, 1)  # one core: DuckDB alone would take this machine's two
    connection = opened_store.connection(str(fixture_path))
    try:
        assert _settings(connection) == ("488.2 MiB", 1)
    finally:
        opened_store.restart(str(fixture_path))


def test_the_first_opening_reads_the_whole_store_within_the_bound(machine, monkeypatch,
                                                                  empty_path):
    # The check of a store's every block ran under DuckDB's default limit (80% of the
    # machine) and kept a 1 GB store in memory: the app's peak at 10M leads.
    machine(16 * GIB, 2)
    monkeypatch.setenv(store.IMPORT_MEMORY_ENV, "300MB")
    checked_under = []
    read_whole = store.verify

    def verify(connection, path, database=None):
        checked_under.append(_settings(connection))
        return read_whole(connection, path, database)

    monkeypatch.setattr(store, "verify", verify)
    connection = store.open_store(empty_path, check=True, for_dashboard=True)
    connection.close()
    # Under its own small limit (it streams the store), not DuckDB's default; the
    # dashboard's limit is set back after it.
    assert checked_under == [("61.0 MiB", 2)]
    connection = store.open_store(empty_path, check=True, for_dashboard=True)
    try:
        assert _settings(connection) == ("286.1 MiB", 2)
    finally:
        connection.close()


def _buffered_mb(connection) -> float:
    return connection.execute("select sum(memory_usage_bytes) / 2 ^ 20 from duckdb_memory()"
                              ).fetchone()[0]


def test_the_blocks_the_check_read_are_not_kept(machine, empty_path):
    # Pages read summaries, not the whole store: at 10M leads DuckDB kept 480 MB of blocks
    # the check had read, for nothing.
    machine(16 * GIB, 2)
    connection = store.open_store(empty_path)
    connection.execute("create table wide as select hash(range) as n, hash(-range) as m "
                       "from range(3000000)")  # about 48 MB of blocks, which do not compress
    connection.close()
    connection = store.open_store(empty_path, check=True, for_dashboard=True)
    try:
        assert _buffered_mb(connection) < 16
        assert _settings(connection) == ("488.2 MiB", 2)
    finally:
        connection.close()
