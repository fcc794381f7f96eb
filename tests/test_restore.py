"""relay restore: a backup is checked, copied beside the store and put in its place with the
store and its write-ahead log kept aside; a refused restore changes nothing."""

import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from conftest import corrupt, store_at_schema
from relay import cli, identity, restoring, store
from relay.identity import Actor, ActorKind, Role

REVENUE = ("select target from goals where quarter = '2026-Q3' and metric = 'revenue' and "
           "region is null")


def run(capsys, *args):
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def wal(path):
    return path.with_name(path.name + ".wal")


def edit_left_in_the_wal(path, sql):
    """Change the store as a process that died before its checkpoint would: the change is
    only in <store>.wal."""
    subprocess.run([sys.executable, "-c", (
        "import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute('pragma disable_checkpoint_on_shutdown'); c.execute(sys.argv[2]); "
        "os._exit(0)"), str(path), sql], check=True)
    assert wal(path).exists()


def target(path):
    connection = store.open_store(path, read_only=True)
    try:
        return connection.execute(REVENUE).fetchall()[0][0]
    finally:
        connection.close()


@pytest.fixture
def backed_up(capsys, fixture_path, tmp_path):
    backup = tmp_path / "backup.duckdb"
    assert run(capsys, "backup", "--db", str(fixture_path), "--output", str(backup))[0] == 0
    return fixture_path, backup


def _everything(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def test_a_backup_copied_over_a_store_with_a_stale_wal_is_refused_with_what_to_do(backed_up):
    path, backup = backed_up
    edit_left_in_the_wal(path, "update goals set target = 1 where target = 200000")
    shutil.copyfile(backup, path)  # the old way of restoring: the stale log stays
    before = _everything(path.parent)
    with pytest.raises(store.StoreError) as refused:
        store.open_store(path)
    message = str(refused.value)
    assert f"its write-ahead log {path}.wal belongs to another version of the file" in message
    assert "move it aside" in message and f"relay restore FILE --db {path}" in message
    assert "WAL does not match database file" in message
    assert _everything(path.parent) == before


def test_restore_over_a_store_with_a_stale_wal(capsys, backed_up, monkeypatch):
    path, backup = backed_up
    edit_left_in_the_wal(path, "update goals set target = 1 where target = 200000")
    monkeypatch.setenv("RELAY_USER", "rita.revops")
    code, out, err = run(capsys, "restore", str(backup), "--db", str(path))
    assert code == 0, err
    kept = next(path.parent.glob(f"{path.name}.replaced-*[0-9]"))
    assert f"Restored {path} from {backup}" in out and str(kept) in out
    assert not wal(path).exists()
    assert target(path) == 200_000  # the backup's data, not the edit undone by restoring
    assert wal(kept).exists()  # the replaced store is kept whole, with its log
    assert target(kept) == 1
    connection = store.open_store(path, read_only=True)
    audit = connection.execute("select actor, action, entity_id, after from audit_log "
                               "where action = 'restore'").fetchall()
    connection.close()
    assert [(actor, action, entity) for actor, action, entity, _ in audit] == [
        ("rita.revops", "restore", str(path))]
    assert json.loads(audit[0][3]) == {"from": str(backup), "schema_version":
                                       store.LATEST_VERSION, "kept": str(kept)}
    assert not list(path.parent.glob("*.restoring*"))


def test_a_backup_with_its_own_wal_is_restored_with_it(capsys, backed_up):
    path, backup = backed_up
    edit_left_in_the_wal(backup, "update goals set target = 7 where target = 200000")
    code, _, err = run(capsys, "restore", str(backup), "--db", str(path))
    assert code == 0, err
    assert target(path) == 7
    assert wal(backup).exists()  # the backup and its log are only read


def _not_a_store(folder):
    bad = folder / "notes.duckdb"
    bad.write_bytes(b"not a database at all" * 500)
    return bad, "is not a Revenue Relay store this version can read"


def _plain_duckdb(folder):
    bad = folder / "other.duckdb"
    duckdb.connect(str(bad)).close()
    return bad, "not a Revenue Relay store (no schema_version table)"


def _newer(folder, backup):
    connection = duckdb.connect(str(backup))
    connection.execute("insert into schema_version values (?, 'from the future', now())",
                       [store.LATEST_VERSION + 1])
    connection.close()
    return backup, "written by a newer Revenue Relay"


def _corrupt(folder, backup):
    corrupt(backup)
    return backup, "is damaged (DuckDB found data in it that fails its checks), so it was not"


def _foreign_wal(folder, backup):
    edit_left_in_the_wal(folder / "fixture.duckdb", "update goals set target = 3")
    shutil.copyfile(folder / "fixture.duckdb.wal", folder / "backup.duckdb.wal")
    return backup, "belongs to another file"


@pytest.mark.parametrize("make", ["not a store", "plain duckdb", "newer", "corrupt",
                                  "foreign wal"])
def test_a_bad_backup_is_refused_and_nothing_changes(capsys, backed_up, make):
    path, backup = backed_up
    folder = path.parent
    bad, says = {
        "not a store": lambda: _not_a_store(folder),
        "plain duckdb": lambda: _plain_duckdb(folder),
        "newer": lambda: _newer(folder, backup),
        "corrupt": lambda: _corrupt(folder, backup),
        "foreign wal": lambda: _foreign_wal(folder, backup),
    }[make]()
    before = _everything(folder)
    code, out, err = run(capsys, "restore", str(bad), "--db", str(path))
    assert code == 1 and out == ""
    assert says in err and "nothing was changed" in err.lower()
    assert _everything(folder) == before  # no .restoring, no .replaced, the store as it was


def test_restore_refuses_while_another_process_holds_the_store(capsys, backed_up):
    path, backup = backed_up
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        before = _everything(path.parent)
        code, _, err = run(capsys, "restore", str(backup), "--db", str(path))
        assert code == 1
        assert "in use by another process" in err and "Data page" in err
        assert _everything(path.parent) == before
    finally:
        holder.communicate("")


def test_only_an_admin_restores(backed_up):
    path, backup = backed_up
    before = _everything(path.parent)
    with identity.acting_as(Actor("Pat", Role.PLANNER, "pat@example.com", ActorKind.SIGNED_IN)):
        with pytest.raises(identity.Refused, match="needs the admin role"):
            restoring.restore(path, backup)
    assert _everything(path.parent) == before


def test_an_older_backup_is_upgraded_once_in_place(capsys, tmp_path, new_store):
    old = tmp_path / "old.duckdb"
    store_at_schema(old, 2).close()
    path = new_store(tmp_path / "store.duckdb")
    code, out, err = run(capsys, "restore", str(old), "--db", str(path))
    assert code == 0, err
    assert "schema version 2" in out
    connection = store.open_store(path, read_only=True)
    assert store.schema_version(connection) == store.LATEST_VERSION
    connection.close()
