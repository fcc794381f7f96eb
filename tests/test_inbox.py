"""The hand-off inbox: only the user's own (a folder another user made
is refused by the dashboard's worker and by the command line, and nothing in it runs); a
worker that goes on after a full disk and records what a stopped dashboard left behind;
Ctrl+C on a handed-off import, before, after the dashboard took it, and once it writes."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import stat
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from conftest import AS_OF, PROJECT_ROOT, import_until_writing
from relay import cli, handoff, identity, importing, private, store

HUBSPOT = PROJECT_ROOT / "data" / "samples" / "hubspot-deals.csv"
OTHER_UID = 65534  # nobody
WAIT = 60.0


def wait_until(predicate, what: str, timeout: float = WAIT):
    """Wait on a state (never a fixed sleep); fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting until {what}")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def job_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name != handoff.HEARTBEAT)


def count(connection, query: str):
    cursor = connection.cursor()
    try:
        return cursor.execute(query).fetchall()
    finally:
        cursor.close()


def deal_count(connection) -> int:
    return count(connection, "select count(*) from deals")[0][0]


@pytest.fixture(autouse=True)
def server_log_apart(monkeypatch):
    """The worker runs in the dashboard's process and the command in another, so the
    dashboard's server log never reaches the command's stderr; here both share one."""
    monkeypatch.setattr(logging.getLogger("relay"), "handlers", [])
    monkeypatch.setattr(logging.getLogger("relay"), "propagate", False)


@pytest.fixture
def connection(fixture_path):
    """The dashboard's read-write connection to the store."""
    opened = store.open_store(fixture_path)
    yield opened
    opened.close()


@pytest.fixture
def held(connection, monkeypatch):
    """The store as the command line finds it while a dashboard (another process) holds it."""
    def locked(path, *args, **kwargs):
        raise store.StoreLocked(f"The store {path} is in use by another process")

    monkeypatch.setattr(store, "open_store", locked)


@pytest.fixture
def start_worker(fixture_path, connection):
    started = []

    def start() -> handoff.Worker:
        worker = handoff.Worker(fixture_path, connection, on_change=lambda: None)
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stopping.set()
        worker.join()


def serving(worker: handoff.Worker) -> None:
    wait_until(lambda: worker.rounds > 0, "the worker finished a round")


def import_args(store_path: Path, *extra) -> list[str]:
    return ["import", str(HUBSPOT), "--table", "deals", "--db", str(store_path), *extra]


def foreign_folder(path: Path) -> Path:
    path.mkdir()
    os.chown(path, OTHER_UID, OTHER_UID)
    path.chmod(0o777)
    return path


# ---------------------------------------------------------------- only the user's own


def test_a_handed_off_import_runs_through_a_private_inbox(
        fixture_path, connection, held, start_worker, capsys):
    worker = start_worker()
    serving(worker)
    folder = handoff.inbox(fixture_path)
    assert mode(folder) == 0o700 and os.lstat(folder).st_uid == os.getuid()
    assert mode(folder / handoff.HEARTBEAT) == 0o600
    before = deal_count(connection)
    assert cli.main(import_args(fixture_path)) == 0
    assert "36 new" in capsys.readouterr().out
    assert deal_count(connection) == before + 36
    wait_until(lambda: job_files(folder) == [], "the inbox is clean")


def test_an_inbox_another_user_made_is_refused_and_nothing_in_it_runs(
        fixture_path, connection, held, start_worker, tmp_path, capsys):
    folder = foreign_folder(handoff.inbox(fixture_path))
    stolen = tmp_path / "stolen.duckdb"
    # What the other user planted: a backup to where they can read it, a forged heartbeat.
    (folder / "planted.request.json").write_text(json.dumps(
        {"kind": "backup", "output": str(stolen)}))
    (folder / handoff.HEARTBEAT).write_text(json.dumps({"pid": 1, "at": time.time() + 1e6}))
    worker = start_worker()
    problem = wait_until(lambda: worker.problem, "the worker refused the inbox")
    assert f"{folder}" in problem and "uid 65534" in problem and "0777" in problem
    assert worker.is_alive()
    assert (folder / "planted.request.json").exists() and not stolen.exists()
    assert count(connection, "select count(*) from import_runs") == [(0,)]

    before = deal_count(connection)
    assert cli.main(import_args(fixture_path)) == 1
    error = capsys.readouterr().err
    assert str(folder) in error and "uid 65534" in error and "mode 0777" in error
    assert "Have it removed" in error and "Traceback" not in error
    assert sorted(path.name for path in folder.iterdir()) == ["planted.request.json",
                                                              handoff.HEARTBEAT]
    assert deal_count(connection) == before


def test_the_data_page_says_why_the_command_line_cannot_hand_over(fixture_path, app_env):
    folder = foreign_folder(handoff.inbox(fixture_path))
    app_env(fixture_path, AS_OF)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=WAIT)
    try:
        at.run()
        wait_until(lambda: handoff.worker_problem(fixture_path), "the worker refused the inbox")
        at = at.switch_page("app_pages/data.py").run()
        (warning,) = [element.value for element in at.warning
                      if "cannot hand imports" in element.value]
        assert "uid 65534" in warning and "0777" in warning
        assert list(folder.iterdir()) == []
    finally:
        handoff.stop_worker(fixture_path)


def test_an_own_inbox_others_may_write_is_refused_by_the_command_line(
        fixture_path, held, capsys):
    folder = handoff.inbox(fixture_path)
    folder.mkdir()
    folder.chmod(0o770)
    private.write_json(folder / handoff.HEARTBEAT, {"pid": 1, "at": time.time()})
    assert cli.main(import_args(fixture_path)) == 1
    error = capsys.readouterr().err
    assert "mode 0770" in error and f"chmod 700 {folder}" in error
    assert job_files(folder) == []


# ---------------------------------------------------------------- a worker that recovers


def test_a_full_disk_fails_one_job_and_the_next_one_runs(
        fixture_path, connection, held, start_worker, monkeypatch, capsys):
    real_write = private.write_bytes
    failing = {"worker.json": 1, "result.json": 1}  # the next write of each fails once

    def full_disk(path: Path, data: bytes) -> None:
        kind = next((kind for kind in failing if Path(path).name.endswith(kind)), None)
        if kind and failing[kind]:
            failing[kind] -= 1
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data)

    monkeypatch.setattr(private, "write_bytes", full_disk)
    worker = start_worker()
    serving(worker)  # the failed heartbeat did not end it
    assert failing["worker.json"] == 0
    folder = handoff.inbox(fixture_path)

    # The dry run's answer cannot be written: the command says so, not "in use".
    assert cli.main(import_args(fixture_path, "--dry-run")) == 1
    error = capsys.readouterr().err
    assert "could not write its answer" in error and "Traceback" not in error
    assert failing["result.json"] == 0 and worker.is_alive()

    before = deal_count(connection)
    assert cli.main(import_args(fixture_path)) == 0
    assert "36 new" in capsys.readouterr().out
    assert deal_count(connection) == before + 36
    wait_until(lambda: job_files(folder) == [], "the inbox is clean")


def test_an_import_longer_than_the_heartbeat_keeps_its_command_waiting(
        fixture_path, connection, held, start_worker, monkeypatch, capsys):
    # The command holds on 3 s (30 polls) of a job, past a stale limit of 2 s, while the
    # heartbeat comes every 0.1 s: twenty beats per limit, so a busy machine that delays a
    # beat or two does not make the dashboard look gone (a 0.5 s beat against 1 s did).
    monkeypatch.setattr(handoff, "STALE_SECONDS", 2.0)
    monkeypatch.setattr(handoff, "POLL_SECONDS", 0.1)
    real_preview, real_pause = importing.preview_file, handoff._pause
    polls: list[float] = []

    def counted_pause(seconds: float) -> None:
        polls.append(seconds)
        real_pause(seconds)

    def slow_check(*args, **kwargs):  # the command polls for 3 s: three heartbeats' worth
        wait_until(lambda: len(polls) >= 30, "the command polled 30 times")
        return real_preview(*args, **kwargs)

    monkeypatch.setattr(handoff, "_pause", counted_pause)
    monkeypatch.setattr(importing, "preview_file", slow_check)
    before = deal_count(connection)
    serving(start_worker())
    assert cli.main(import_args(fixture_path)) == 0
    assert "36 new" in capsys.readouterr().out
    assert deal_count(connection) == before + 36


def test_a_failed_handed_off_import_is_in_the_history_with_its_reason(
        fixture_path, connection, held, start_worker, capsys):
    serving(start_worker())
    assert cli.main(import_args(fixture_path, "--preset", "pipedrive")) == 2
    assert "pipedrive" in capsys.readouterr().err
    (actor, outcome, message), = count(connection, "select actor, outcome, message from "
                                                   "import_runs")
    assert outcome == "failed" and "pipedrive" in message and "nothing of it" in message
    wait_until(lambda: job_files(handoff.inbox(fixture_path)) == [], "the inbox is clean")


def dashboard_dies_after_claiming(fixture_path, monkeypatch) -> Path:
    """A dashboard that claims the next job, then stops (its heartbeat goes stale) while
    the command waits; returns the inbox."""
    folder = private.folder(handoff.inbox(fixture_path), handoff.PURPOSE)
    private.write_json(folder / handoff.HEARTBEAT, {"pid": 1, "at": time.time()})

    def dashboard_dies(seconds: float) -> None:
        (request,) = folder.glob("*.request.json")
        os.rename(request, str(request).replace(".request.", ".working."))
        private.write_json(folder / handoff.HEARTBEAT, {"pid": 1, "at": 0})

    monkeypatch.setattr(handoff, "_pause", dashboard_dies)
    return folder


def test_a_dashboard_that_stops_mid_import_is_reported_and_recorded_truthfully(
        fixture_path, connection, held, start_worker, monkeypatch, capsys):
    folder = dashboard_dies_after_claiming(fixture_path, monkeypatch)
    before = deal_count(connection)
    assert cli.main(import_args(fixture_path)) == 1
    error = capsys.readouterr().err
    assert "stopped before the import wrote anything, so nothing of it was written" in error
    assert "import history lists it as failed" in error
    (leftover,) = folder.glob("*.working.json")

    start_worker()  # the dashboard starts again
    wait_until(lambda: not leftover.exists(), "the leftover job was taken in")
    assert count(connection, "select actor, file_name, outcome, message from import_runs") == [
        (identity.acting_user(), "hubspot-deals.csv",
         "failed", f"hubspot-deals.csv: {handoff.STOPPED}")]
    assert deal_count(connection) == before


def test_a_stage_change_whose_dashboard_stops_says_what_became_of_it(
        fixture_path, connection, held, monkeypatch, capsys):
    dashboard_dies_after_claiming(fixture_path, monkeypatch)
    assert cli.main(["stages", "set", "Won=won,closed", "--db", str(fixture_path)]) == 1
    error = capsys.readouterr().err
    assert error.splitlines()[-1].startswith(
        "relay stages: the dashboard holding the store stopped during the stage mapping "
        "change; it is saved whole or not at all")
    assert "Traceback" not in error and "KeyError" not in error


def test_a_write_left_behind_is_recorded_only_when_it_was_not_committed(
        fixture_path, connection, start_worker):
    folder = private.folder(handoff.inbox(fixture_path), handoff.PURPOSE)
    job = {"kind": "import", "file": str(HUBSPOT), "file_name": "deals.csv", "table": "deals",
           "layout": None, "dry_run": False, "actor": "ops.cron", "imports_before": 0}
    # One committed before the dashboard stopped (its history line is there), one not.
    with identity.acting_as(identity.command_line("ops.cron")):
        importing.run(connection, HUBSPOT, "deals", file_name="deals.csv")
    private.write_json(folder / "committed.writing.json", job)
    private.write_json(folder / "lost.writing.json", {**job, "file_name": "other.csv"})
    serving(start_worker())
    assert job_files(folder) == ["lost.result.json"]  # for a command still waiting
    history = count(connection, "select file_name, outcome, message from import_runs "
                                "order by import_id")
    assert [(name, outcome) for name, outcome, _ in history] == [
        ("deals.csv", "imported"), ("other.csv", "failed")]
    assert history[1][2] == f"other.csv: {handoff.STOPPED}"


# ---------------------------------------------------------------- Ctrl+C


def test_ctrl_c_before_the_dashboard_takes_the_job_takes_it_back(
        fixture_path, connection, held, monkeypatch, capsys):
    folder = private.folder(handoff.inbox(fixture_path), handoff.PURPOSE)
    private.write_json(folder / handoff.HEARTBEAT, {"pid": 1, "at": time.time()})
    seen = []

    def ctrl_c(seconds: float) -> None:
        (request,) = folder.glob("*.request.json")
        seen.append(mode(request))
        raise KeyboardInterrupt

    monkeypatch.setattr(handoff, "_pause", ctrl_c)
    before = deal_count(connection)
    assert cli.main(import_args(fixture_path)) == 130
    assert capsys.readouterr().err.splitlines()[-1] == \
        "relay import: cancelled; nothing was done"
    assert seen == [0o600]
    assert job_files(folder) == [] and deal_count(connection) == before


def test_ctrl_c_after_the_dashboard_took_the_job_cancels_it_before_it_writes(
        fixture_path, connection, held, start_worker, monkeypatch, capsys):
    folder = handoff.inbox(fixture_path)
    real_preview, real_pause = importing.preview_file, handoff._pause

    def slow_check(*args, **kwargs):  # still checking when Ctrl+C comes
        wait_until(lambda: list(folder.glob("*.cancel.json")), "the command cancelled")
        return real_preview(*args, **kwargs)

    def ctrl_c_once_claimed(seconds: float) -> None:
        if list(folder.glob("*.working.json")) and not pressed:
            pressed.append(True)
            raise KeyboardInterrupt
        real_pause(seconds)

    pressed: list[bool] = []
    monkeypatch.setattr(importing, "preview_file", slow_check)
    monkeypatch.setattr(handoff, "_pause", ctrl_c_once_claimed)
    before = deal_count(connection)
    serving(start_worker())
    assert cli.main(import_args(fixture_path)) == 130
    error = capsys.readouterr().err
    assert error.splitlines()[-1] == "relay import: cancelled; nothing was written"
    assert "Traceback" not in error
    assert deal_count(connection) == before
    assert count(connection, "select outcome, message from import_runs") == [
        ("failed", f"hubspot-deals.csv: {handoff.CANCELLED}")]
    wait_until(lambda: job_files(folder) == [], "the inbox is clean")


def test_ctrl_c_once_the_dashboard_writes_says_it_will_finish(
        fixture_path, connection, held, start_worker, monkeypatch, capsys):
    folder = handoff.inbox(fixture_path)
    real_write, real_pause = importing._write, handoff._pause
    pressed: list[bool] = []

    def slow_write(*args, **kwargs):
        wait_until(lambda: pressed, "Ctrl+C was pressed")
        return real_write(*args, **kwargs)

    def ctrl_c_once_writing(seconds: float) -> None:
        if list(folder.glob("*.writing.json")) and not pressed:
            pressed.append(True)
            raise KeyboardInterrupt
        real_pause(seconds)

    monkeypatch.setattr(importing, "_write", slow_write)
    monkeypatch.setattr(handoff, "_pause", ctrl_c_once_writing)
    before = deal_count(connection)
    serving(start_worker())
    assert cli.main(import_args(fixture_path)) == 130
    assert capsys.readouterr().err.splitlines()[-1] == (
        "relay import: the dashboard is already writing the import; it will finish — see "
        "the Data page's import history")
    wait_until(lambda: count(connection, "select outcome from import_runs") == [("imported",)],
               "the import was written")
    assert deal_count(connection) == before + 36
    wait_until(lambda: job_files(folder) == [], "the inbox is clean (nobody waits for it)")


@pytest.mark.parametrize("where, interruption, said", [
    # Ctrl+C in Python code, and DuckDB's answer to it during a query.
    ("_write", KeyboardInterrupt(), "interrupted; nothing of the import was written (it is "
                                    "all or nothing)"),
    ("_write", RuntimeError("Query interrupted"), "interrupted; nothing of the import was "
                                                  "written (it is all or nothing)"),
    ("outcome_json", KeyboardInterrupt(), "interrupted after the import was written — see the "
                                          "Data page's import history"),
])
def test_ctrl_c_on_an_import_run_here_is_one_true_line(fixture_path, monkeypatch, capsys,
                                                       where, interruption, said):
    def ctrl_c(*args, **kwargs):
        raise interruption

    monkeypatch.setattr(importing if where == "_write" else handoff, where, ctrl_c)
    assert cli.main(import_args(fixture_path)) == 130
    error = capsys.readouterr().err
    assert error.splitlines()[-1] == f"relay import: {said}" and "Traceback" not in error
    connection = duckdb.connect(str(fixture_path), read_only=True)
    try:
        imported = connection.execute("select count(*) from import_runs").fetchall()[0][0]
        new_deals = connection.execute("select count(*) from deals where deal_id not like 'D%' "
                                       "and deal_id not like 'H%'").fetchall()[0][0]
    finally:
        connection.close()
    assert (imported, new_deals) == ((1, 36) if "after" in said else (0, 0))


def test_a_real_ctrl_c_during_an_import_run_here(fixture_path, tmp_path):
    leads = tmp_path / "leads.csv"
    with leads.open("w", encoding="utf-8") as handle:
        handle.write("lead_id,source,region,segment,created_at,stage\n")
        handle.writelines(f"K{number},Web,NA,SMB,2026-07-01 10:00,inquiry\n"
                          for number in range(300_000))
    process = import_until_writing(fixture_path, leads, "leads")
    process.send_signal(signal.SIGINT)
    error = process.stderr.read()
    returncode = process.wait(timeout=WAIT)
    # On a busy machine the write can end before the signal arrives: then it was not
    # interrupted, says nothing more, and the store holds the whole import.
    assert returncode in (130, 0), error
    assert "Traceback" not in error and len(error.splitlines()) == (returncode == 130)
    connection = duckdb.connect(str(fixture_path), read_only=True)
    try:
        history = connection.execute("select outcome from import_runs").fetchall()
        leads_in = connection.execute("select count(*) from leads where lead_id like 'K%'"
                                      ).fetchall()[0][0]
    finally:
        connection.close()
    # Whichever the moment: what it says is what happened.
    if "nothing of the import was written" in error:
        assert (history, leads_in) == ([], 0)
    else:
        assert returncode == 0 or "after the import was written" in error
        assert (history, leads_in) == ([("imported",)], 300_000)
