"""A store that fails DuckDB's checks is never written to, and every reader says so plainly;
a full disk gives a message and leaves no partial file."""

import os
import shutil

import duckdb
import pytest

from conftest import AS_OF, PROJECT_ROOT, by, corrupt
from relay import cli, exporting, goals, store

# Goal writes refuse closed quarters by today's date: today is the fixture's AS_OF.
pytestmark = pytest.mark.usefixtures("fixture_today")

SAMPLE = PROJECT_ROOT / "data" / "samples" / "hubspot-deals.csv"


def run(capsys, *args):
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def corrupt_path(fixture_path):
    corrupt(fixture_path)
    return fixture_path


def _files(path):
    """The store's bytes and whether a .wal appeared beside it."""
    return path.read_bytes(), path.with_name(path.name + ".wal").exists()


def test_opening_read_write_verifies_the_whole_store(corrupt_path):
    before = _files(corrupt_path)
    with pytest.raises(store.StoreDamaged, match="is damaged.*relay restore"):
        store.open_store(corrupt_path)
    assert _files(corrupt_path) == before


@pytest.mark.parametrize("command", [
    ["import", str(SAMPLE), "--table", "deals"],
    ["setting", "currency", "EUR"],
])
def test_cli_writes_refuse_a_corrupt_store_and_leave_it_byte_for_byte(capsys, corrupt_path,
                                                                    command):
    before = _files(corrupt_path)
    code, _, err = run(capsys, *command, "--db", str(corrupt_path))
    assert code == 1
    assert err.startswith(f"relay {command[0]}: The store {corrupt_path} is damaged")
    assert "Traceback" not in err
    assert _files(corrupt_path) == before


def test_a_store_cut_short_is_damaged_for_readers_and_writers_alike(capsys, demo_path,
                                                                     tmp_path):
    cut = tmp_path / "cut.duckdb"
    shutil.copy(demo_path, cut)
    os.truncate(cut, cut.stat().st_size // 2)  # a copy that stopped half-way
    before = _files(cut)
    for command in (["report", "overview", "--as-of", AS_OF.isoformat()],
                    ["import", str(SAMPLE), "--table", "deals"]):
        code, out, err = run(capsys, *command, "--db", str(cut))
        assert code == 1 and out == "", err
        assert err.startswith(f"relay {command[0]}: The store {cut} is damaged")
        assert "a file cut short" in err and "relay restore" in err
        assert "Traceback" not in err
    assert _files(cut) == before
    store.forget_damage(cut)


def test_report_on_a_corrupt_store_gives_a_message_not_a_traceback(capsys, corrupt_path):
    code, out, err = run(capsys, "report", "funnel", "--db", str(corrupt_path), "--quarter",
                         "2026-Q3", "--as-of", AS_OF.isoformat())
    assert code == 1 and out == ""
    assert err.startswith("relay report: The store") and "is damaged" in err
    assert "Traceback" not in err


def test_a_goal_save_is_refused_once_a_read_found_the_store_corrupt(corrupt_path):
    # As the dashboard would: a connection open before the damage (so not verified then).
    before = _files(corrupt_path)
    connection = store.open_store(corrupt_path, check=False)
    try:
        with pytest.raises(duckdb.Error, match="Corrupt"):
            connection.execute("select sum(hash(l)) from leads l").fetchall()
        goal_id, version = connection.execute(
            "select goal_id, version from goals where quarter = '2026-Q3' and metric = "
            "'revenue' and region is null").fetchall()[0]
        # A reader meeting the damage marks the store (relay.ui.opened_store does this for
        # the pages).
        with pytest.raises(store.StoreDamaged):
            store.verify(connection, corrupt_path)
        with pytest.raises(store.StoreDamaged, match="is damaged"):
            by("rita", goals.save_targets, connection, [goals.TargetEdit(goal_id, version, 1)])
        assert connection.execute(
            "select target from goals where goal_id = ?", [goal_id]).fetchall()[0][0] == 200_000
    finally:
        connection.close()
        store.forget_damage(corrupt_path)
    assert _files(corrupt_path) == before


def test_a_write_that_meets_the_damage_marks_the_store_and_says_so(corrupt_path):
    connection = store.open_store(corrupt_path, check=False)
    try:
        def work(cursor):
            cursor.execute("update settings set value = 'EUR' where key = 'currency'")
            cursor.execute("select sum(hash(l)) from leads l").fetchall()

        with pytest.raises(store.StoreDamaged, match="is damaged"):
            store.write(connection, work)
        assert store.damaged(corrupt_path)
        with pytest.raises(store.StoreDamaged):  # refused before it starts, from now on
            store.write(connection, lambda cursor: None)
        assert connection.execute(
            "select value from settings where key = 'currency'").fetchall() == []
    finally:
        connection.close()
        store.forget_damage(corrupt_path)


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs (needs root); `grow()` makes room again."""
    import subprocess

    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        # CI runs as root, where a skip would hide these tests: there it fails instead.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")

    class Disk:
        path = folder

        @staticmethod
        def grow():
            subprocess.run(["mount", "-o", "remount,size=64m", str(folder)], check=True)

    yield Disk
    subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_during_backup_leaves_no_partial_file_and_a_retry_works(
        capsys, demo_path, small_disk):
    output = small_disk.path / "backup.duckdb"
    code, _, err = run(capsys, "backup", "--db", str(demo_path), "--output", str(output))
    assert code == 1
    assert f"The backup could not be written to {output}" in err
    assert "No space left on device" in err and "Traceback" not in err
    assert list(small_disk.path.iterdir()) == []
    small_disk.grow()
    code, _, err = run(capsys, "backup", "--db", str(demo_path), "--output", str(output))
    assert code == 0, err
    assert store.open_store(output, read_only=True).close() is None


def test_a_full_disk_during_the_demo_build_gives_a_message(capsys, small_disk):
    path = small_disk.path / "demo.duckdb"
    code, _, err = run(capsys, "demo", "--db", str(path), "--leads", "20000")
    assert code == 1
    assert err.startswith(f"relay demo: The disk holding {path} is full")
    assert "Traceback" not in err
    assert list(small_disk.path.iterdir()) == []


def test_backup_never_leaves_its_partial_file_behind(tmp_path, fixture_path):
    connection = store.open_store(fixture_path)
    output = tmp_path / "copy.duckdb"
    (tmp_path / "copy.duckdb.partial").write_bytes(b"left by a crash")
    exporting.backup(connection, output)
    connection.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == [
        "copy.duckdb"]


def test_a_handed_off_import_is_refused_when_the_dashboards_store_fails_its_check(
        fixture_path):
    import subprocess
    import sys

    from relay import handoff

    corrupt(fixture_path)
    before = _files(fixture_path)
    # The dashboard opened the store before the damage (so its opening check passed).
    connection = store.open_store(fixture_path, check=False)
    handoff.start_worker(fixture_path, connection, on_change=lambda: None)
    try:
        # Another process, as from cron: the dashboard's process holds the store.
        result = subprocess.run(
            [sys.executable, "-m", "relay", "import", str(SAMPLE), "--table", "deals",
             "--db", str(fixture_path), "--wait", "30"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        assert "handing the job to it" in result.stderr
        assert f"relay import: The store {fixture_path} is damaged" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        handoff.stop_worker(fixture_path)
        connection.close()
        store.forget_damage(fixture_path)
    assert _files(fixture_path) == before


def test_a_full_disk_refuses_one_save_says_so_and_the_next_save_goes_through(
        fixture_path, small_disk):
    small_disk.grow()  # room for the store; then a file takes all that is left
    path = small_disk.path / "store.duckdb"
    shutil.copy(fixture_path, path)
    connection = store.open_store(path)
    try:
        goal_id, version = connection.execute(
            "select goal_id, version from goals where quarter = '2026-Q3' and metric = "
            "'revenue' and region is null").fetchall()[0]
        filler = small_disk.path / "filler"
        with filler.open("wb") as handle, pytest.raises(OSError):
            while True:
                handle.write(b"\0" * (1 << 16))
        # DuckDB says "TransactionException: Failed to commit: Could not write file …": a
        # full disk, not someone else saving first (no "try again in a moment" after 3 runs).
        with pytest.raises(store.StoreFull, match="is full, so the store could not be "
                                                   "written"):
            by("rita", goals.save_targets, connection,
               [goals.TargetEdit(goal_id, version, 250_000)])
        assert store.damaged(path) is None  # not a mark on the store: reads go on
        assert connection.execute(
            "select target from goals where goal_id = ?", [goal_id]).fetchall()[0][0] == 200_000
        filler.unlink()
        by("rita", goals.save_targets, connection,
           [goals.TargetEdit(goal_id, version, 250_000)])
        assert connection.execute(
            "select target from goals where goal_id = ?", [goal_id]).fetchall()[0][0] == 250_000
    finally:
        connection.close()
