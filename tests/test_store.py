import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from conftest import store_at_schema
from relay import store


def test_create_records_the_schema_version_and_contract_tables(tmp_path):
    connection = store.create(tmp_path / "new.duckdb")
    assert store.schema_version(connection) == store.LATEST_VERSION
    tables = {row[0] for row in connection.execute("show tables").fetchall()}
    assert {"people", "campaigns", "leads", "deals", "goals", "forecast_submissions",
            "audit_log", "settings", "schema_version", "deal_history"} <= tables
    columns = {row[0] for row in connection.execute("describe goals").fetchall()}
    assert {"quarter", "metric", "region", "segment", "target", "owner_team", "updated_by",
            "updated_at", "version"} <= columns
    connection.close()


def test_create_never_overwrites(tmp_path):
    path = tmp_path / "existing.duckdb"
    path.write_bytes(b"precious")
    with pytest.raises(store.StoreError, match="already exists"):
        store.create(path)
    assert path.read_bytes() == b"precious"


def test_missing_store_says_how_to_make_one(tmp_path):
    with pytest.raises(store.StoreError, match="python -m relay demo"):
        store.open_store(tmp_path / "nowhere.duckdb")


def test_corrupt_file_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "corrupt.duckdb"
    content = b"this is not a database" * 200
    path.write_bytes(content)
    with pytest.raises(store.StoreError, match="not a store"):
        store.open_store(path)
    assert path.read_bytes() == content


def test_newer_schema_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "future.duckdb"
    connection = store.create(path)
    connection.execute("insert into schema_version values (?, 'from the future', now())",
                       [store.LATEST_VERSION + 1])
    connection.close()
    with pytest.raises(store.StoreError, match="newer Revenue Relay"):
        store.open_store(path)
    check = duckdb.connect(str(path), read_only=True)
    assert check.execute("select max(version) from schema_version").fetchall()[0][0] == (
        store.LATEST_VERSION + 1
    )
    check.close()


def test_duckdb_file_that_is_not_a_relay_store(tmp_path):
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(store.StoreError, match="not a Revenue Relay store"):
        store.open_store(path)


def test_a_store_in_use_by_another_process_is_named(tmp_path):
    path = tmp_path / "busy.duckdb"
    store.create(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True);"
         " sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(store.StoreError, match="in use by another process"):
            store.open_store(path, read_only=True)
    finally:
        holder.communicate("")


def _setting(connection, key):
    return connection.execute("select value from settings where key = ?", [key]).fetchall()[0][0]


def test_write_retries_after_a_write_write_conflict(tmp_path):
    connection = store.create(tmp_path / "conflict.duckdb")
    connection.execute("insert into settings values ('currency', 'USD')")
    other = connection.cursor()
    other.execute("begin transaction")
    other.execute("update settings set value = 'EUR' where key = 'currency'")
    attempts = []

    def work(cursor):
        attempts.append(len(attempts) + 1)
        if len(attempts) == 2:
            other.execute("commit")  # the other writer finishes between our attempts
        cursor.execute("update settings set value = 'GBP' where key = 'currency'")
        return "done"

    assert store.write(connection, work) == "done"
    assert attempts == [1, 2]
    assert _setting(connection, "currency") == "GBP"
    connection.close()


def test_write_gives_up_after_the_last_attempt_and_writes_nothing(tmp_path):
    connection = store.create(tmp_path / "stuck.duckdb")
    connection.execute("insert into settings values ('currency', 'USD'), ('sla_hours', '24')")
    other = connection.cursor()
    other.execute("begin transaction")
    other.execute("update settings set value = 'EUR' where key = 'currency'")

    def work(cursor):
        cursor.execute("update settings set value = '48' where key = 'sla_hours'")
        cursor.execute("update settings set value = 'GBP' where key = 'currency'")

    with pytest.raises(duckdb.TransactionException):
        store.write(connection, work, attempts=2)
    other.execute("rollback")
    assert _setting(connection, "sla_hours") == "24"  # all or nothing
    assert _setting(connection, "currency") == "USD"
    connection.close()


def test_an_older_store_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.duckdb"
    connection = store_at_schema(path, 2)
    connection.execute("insert into campaigns (campaign_id, name, channel, status, start_date,"
                       " end_date) values ('C1', 'Old', 'Webinar', 'planned', '2026-01-01',"
                       " '2026-01-02')")
    connection.close()
    upgraded = store.open_store(path)
    assert store.schema_version(upgraded) == store.LATEST_VERSION
    assert upgraded.execute("select name, version from campaigns").fetchall() == [("Old", 1)]
    upgraded.close()


def test_a_stale_wal_beside_a_replaced_store_says_what_happened_and_what_to_do(tmp_path):
    path = tmp_path / "store.duckdb"
    store.create(path).close()
    copy = tmp_path / "copy.duckdb"
    store.create(copy).close()
    subprocess_edit = (
        "import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute('pragma disable_checkpoint_on_shutdown'); "
        "c.execute(\"insert into settings values ('currency', 'EUR')\"); os._exit(0)")
    subprocess.run([sys.executable, "-c", subprocess_edit, str(path)], check=True)
    shutil.copyfile(copy, path)  # another file put in place; the old log stays beside it
    wal = tmp_path / "store.duckdb.wal"
    before = (path.read_bytes(), wal.read_bytes())
    with pytest.raises(store.StoreError) as refused:
        store.open_store(path)
    assert "WAL does not match database file" in str(refused.value)
    assert "move it aside" in str(refused.value) and "relay restore" in str(refused.value)
    assert (path.read_bytes(), wal.read_bytes()) == before
    os.replace(wal, tmp_path / "aside.wal")  # what the message says to do, once sure
    store.open_store(path).close()
