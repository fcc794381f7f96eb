"""Imports and exports from the command line while the dashboard holds the store open.

DuckDB lets one process open a store file for writing, and the dashboard keeps it open for
its whole life. So when `python -m relay import` (or `export`) finds the store held, it hands
the job to the dashboard: it drops a request file into the store's inbox folder, the
dashboard's inbox worker (a thread started with its store connection) runs the very same
import on its own connection and writes the result beside it, and the command prints that
result and exits as if it had done the work itself. The worker refreshes a heartbeat file,
so a command never waits on a dashboard that is gone.

The inbox is the user's own: made with mode 0700 and refused, by the worker and by the
command, when it belongs to another user or lets anyone else in (relay.private); the files
in it are written 0600.

A job's file says where it is: `<job>.request.json` (waiting), `.working.json` (claimed),
`.writing.json` (the import is writing), `.cancel.json` (the command asked to cancel before
the write), then `<job>.result.json` (`<job>.abandoned`: its command stopped waiting, so the
answer is removed). Each step is a rename, so each request is run once
even with several dashboards started on the same folder by mistake, and a cancellation and
the start of the write cannot both win. Leftovers of a dashboard that stopped mid-job are
recorded in the import history when the worker starts again.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from relay import clock, exporting, identity, importing, layouts, private, sql, store

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
STALE_SECONDS = 10.0  # a heartbeat older than this: no dashboard is answering
ORPHAN_SECONDS = 3600.0  # a result nobody collected (its command gave up) is removed after
HEARTBEAT = "worker.json"
PURPOSE = "the dashboard's inbox of jobs from the command line"
STATES = ("request", "working", "writing", "cancel")
STOPPED = "the dashboard stopped while running this import; nothing of it was written"
CANCELLED = "cancelled from the command line before writing; nothing of it was written"


class HandoffError(Exception):
    """The running dashboard could not take the job; nothing was done through it."""


class Cancelled(Exception):
    """The command line cancelled the import before it started writing."""


class Interrupted(KeyboardInterrupt):
    """Ctrl+C while waiting for the dashboard; says what became of the job."""


def inbox(store_path: Path) -> Path:
    store_path = Path(store_path).resolve()
    return store_path.with_name(store_path.name + ".inbox")


def check_inbox(store_path: Path) -> Path | None:
    """The store's inbox, None if there is none; private.NotPrivate if it is not only this
    user's (then nothing in it is trusted)."""
    folder = inbox(store_path)
    if not os.path.lexists(folder):
        return None
    private.check(folder, PURPOSE)
    return folder


def worker_alive(store_path: Path) -> bool:
    """Whether a dashboard holding this store is taking jobs now (never through an inbox
    someone else could have written)."""
    try:
        folder = check_inbox(store_path)
        if folder is None:
            return False
        beat = json.loads((folder / HEARTBEAT).read_text())
    except (OSError, ValueError):
        return False
    return time.time() - beat.get("at", 0) < STALE_SECONDS


class JobFiles:
    """The files of one job in the inbox."""

    def __init__(self, folder: Path, job_id: str):
        self.job_id = job_id
        self.request, self.working, self.writing, self.cancel = (
            folder / f"{job_id}.{state}.json" for state in STATES)
        self.result = folder / f"{job_id}.result.json"
        self.abandoned = folder / f"{job_id}.abandoned"  # its command stopped waiting

    def state(self) -> str | None:
        for state in STATES:
            if getattr(self, state).exists():
                return state
        return None

    def discard(self) -> None:
        for state in STATES[1:]:
            getattr(self, state).unlink(missing_ok=True)

    def take_result(self) -> dict[str, Any] | None:
        try:
            text = self.result.read_text()
        except FileNotFoundError:
            return None
        self.result.unlink(missing_ok=True)
        return json.loads(text)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def submit(store_path: Path, job: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Hand `job` to the dashboard and wait for its result. Ctrl+C takes it back, or has it
    cancelled before the import writes, and raises Interrupted saying which."""
    folder = check_inbox(store_path)
    if folder is None:
        raise HandoffError("the dashboard keeps no inbox beside the store; nothing was done")
    files = JobFiles(folder, uuid.uuid4().hex)
    private.write_json(files.request, job)
    try:
        return _wait(store_path, files, job, time.monotonic() + timeout, timeout)
    except KeyboardInterrupt:
        raise Interrupted(_cancel(store_path, files, job)) from None


def _wait(store_path: Path, files: JobFiles, job: dict[str, Any], deadline: float,
          timeout: float) -> dict[str, Any]:
    while True:
        answer = files.take_result()
        if answer is not None:
            return answer
        state = files.state()
        if state is None:
            answer = files.take_result()  # written just before the job's file went
            if answer is not None:
                return answer
            raise HandoffError(
                "the dashboard ran the job but could not write its answer (its log says why: "
                "a full disk?)" + (_SEE_HISTORY if job["kind"] == "import" else ""))
        if not worker_alive(store_path):
            raise HandoffError(_stopped(files, job))
        if time.monotonic() > deadline:
            if _take_back(files):
                raise HandoffError(f"the dashboard did not take the job within {timeout:.0f} s;"
                                   " it was taken back and nothing was done")
            raise HandoffError(f"the dashboard did not finish the job within {timeout:.0f} s; "
                               "it goes on" + (_SEE_HISTORY if job["kind"] == "import" else ""))
        _pause(0.1)


_SEE_HISTORY = "; the Data page's import history says what became of the import"


def _take_back(files: JobFiles) -> bool:
    try:
        files.request.unlink()
    except FileNotFoundError:  # claimed by the dashboard
        return False
    return True


def _stopped(files: JobFiles, job: dict[str, Any]) -> str:
    """What became of the job, said when the dashboard stopped answering."""
    if _take_back(files):
        return "the dashboard holding the store stopped answering before it took the job; " \
               "nothing was done"
    if job["kind"] == "stages":
        return ("the dashboard holding the store stopped during the stage mapping change; "
                "it is saved whole or not at all: list it with `relay stages` and run the "
                "command again if it is not there")
    if job["kind"] != "import":
        return (f"the dashboard holding the store stopped during the {job['kind']}; "
                f"{job['output']} may be incomplete: delete it and run the command again")
    if files.writing.exists():
        return ("the dashboard holding the store stopped while writing the import; DuckDB "
                "keeps all of it or none: when the dashboard starts again, the Data page's "
                "import history lists it as imported, or as failed with nothing written")
    return ("the dashboard holding the store stopped before the import wrote anything, so "
            "nothing of it was written; when the dashboard starts again, the Data page's "
            "import history lists it as failed")


def _cancel(store_path: Path, files: JobFiles, job: dict[str, Any]) -> str:
    """After Ctrl+C: take the job back, or have the worker cancel it before it writes."""
    if _take_back(files):
        return "cancelled; nothing was done"
    if job["kind"] != "import":
        return f"the dashboard is already running the {job['kind']}; it will finish it"
    try:
        os.rename(files.working, files.cancel)
    except FileNotFoundError:  # the write has started (or it is all over)
        if files.take_result() is None:
            private.write_bytes(files.abandoned, b"")  # the worker removes its answer
            if files.take_result() is None:
                return ("the dashboard is already writing the import; it will finish — see "
                        "the Data page's import history")
            files.abandoned.unlink(missing_ok=True)
        return "too late: the dashboard had finished the import — see the Data page's " \
               "import history"
    try:
        while files.take_result() is None:
            if files.state() is None and files.take_result() is None:
                break
            if not worker_alive(store_path):
                break
            _pause(0.1)
    except KeyboardInterrupt:
        return "cancelling: the dashboard stops the import before it writes anything"
    return "cancelled; nothing was written"


def run_job(connection: duckdb.DuckDBPyConnection, job: dict[str, Any],
            progress: Callable[[str], None] = lambda step: None) -> dict[str, Any]:
    """Do an import, export or backup job as the command line asked; what it answers
    with."""
    if job["kind"] == "backup":
        exporting.backup(connection, Path(job["output"]))
        return {"output": job["output"]}
    if job["kind"] == "export":
        with sql.cursor(connection) as cursor:
            rows = exporting.export_table(cursor, job["table"], job["format"],
                                          Path(job["output"]))
        return {"rows": rows}
    if job["kind"] == "stages":
        return stages_job(connection, job)
    # The command line's user, also when the dashboard's worker runs the job for it: they
    # could have written the store file themselves.
    with identity.acting_as(identity.command_line(job["actor"])):
        outcome = importing.run(connection, Path(job["file"]), job["table"],
                                file_name=job["file_name"], layout=job["layout"],
                                dry_run=job["dry_run"], progress=progress,
                                date_format=job.get("date_format"),
                                columns=job.get("map"), problems_file=job.get("problems"))
    return outcome_json(outcome)


def stages_job(connection: duckdb.DuckDBPyConnection, job: dict[str, Any]) -> dict[str, Any]:
    """`relay stages`: list the stage mapping, or change it as the Data page does
    (layouts.save_stage_mapping: the same checks, one audited change)."""
    with sql.cursor(connection) as cursor:
        seen = layouts.stage_mapping(cursor)
    if job["action"] == "list":
        return {"stages": [[row["label"], row["status"], row["forecast_category"]]
                           for row in seen]}
    rows = layouts.stage_rows_after(seen, job["action"], job["items"])
    with identity.acting_as(identity.command_line(job["actor"])):
        return {"saved": layouts.save_stage_mapping(connection, rows, seen)}


def outcome_json(outcome: importing.Outcome) -> dict[str, Any]:
    preview = outcome.preview
    return {"written": outcome.written, "import_id": outcome.import_id,
            "layout": preview.layout, "summary": preview.summary(),
            "counts": preview.counts(), "new_people": preview.new_people,
            "merged_people": preview.merged_people, "effects": preview.effects,
            "notes": preview.notes,
            "warnings": [str(warning) for warning in preview.warnings],
            "problems": [str(problem) for problem in preview.problems],
            "problem_kinds": [str(kind) for kind in preview.kinds],
            "problem_kinds_complete": preview.kinds_complete,
            "sample": _sample(preview)}


SAMPLE_ROWS = 10  # the rows a dry run prints


def _sample(preview: importing.Preview) -> dict[str, list]:
    """The first rows as they will be stored, as text: what a dry run prints."""
    sample = preview.sample.head(SAMPLE_ROWS)
    table = layouts.TABLES.get(preview.table)
    kinds = {column.name: column.kind for column in table.columns} if table else {}

    def text(name: str, value: Any) -> str:
        if value is None or value != value:  # None, NaN, NaT
            return ""
        if kinds.get(name) == "amount":
            return f"{value:.2f}"
        if kinds.get(name) == "date" and hasattr(value, "date"):
            return value.date().isoformat()
        return str(value)

    columns = [str(column) for column in sample.columns]
    rows = [[text(name, value) for name, value in zip(columns, row, strict=True)]
            for row in sample.astype(object).itertuples(index=False)]
    return {"columns": columns, "rows": rows}


class Worker(threading.Thread):
    """Runs the jobs dropped into a store's inbox, one at a time, on the given connection.
    Nothing stops it but `stopping`: a failure (a full disk, an unreadable request) is logged
    and the next round goes on."""

    def __init__(self, store_path: Path, connection: duckdb.DuckDBPyConnection,
                 on_change: Callable[[], None]):
        super().__init__(name="relay-inbox", daemon=True)
        self.store_path = Path(store_path)
        self.folder = inbox(store_path)
        self.connection = connection
        self.on_change = on_change
        self.stopping = threading.Event()
        self.problem: str | None = None  # why the last round failed, if it did
        self.rounds = 0  # rounds finished without a failure
        self._recovered = False

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._round()
            except Exception as error:  # noqa: BLE001 - logged; the worker goes on
                self._complain(error)
            else:
                if self.problem is not None:
                    log.warning("the inbox %s works again", self.folder)
                self.problem = None
                self.rounds += 1
            self.stopping.wait(POLL_SECONDS)

    def _complain(self, error: Exception) -> None:
        message = str(error) or type(error).__name__
        if message != self.problem:  # once, not every half second
            if isinstance(error, private.NotPrivate):
                log.error("the inbox takes no jobs: %s", error)
            else:
                log.exception("the inbox worker of %s: %s", self.folder, error)
        self.problem = message

    def _round(self) -> None:
        private.folder(self.folder, PURPOSE)
        if not self._recovered:
            self._recover()
            self._recovered = True
        self._beat()
        for request in sorted(self.folder.glob("*.request.json")):
            if self.stopping.is_set():
                return
            with self._beating():
                self._take(request)
        self._sweep()

    def _beat(self) -> None:
        private.check(self.folder, PURPOSE)
        # Real epoch seconds, not clock.now(): a heartbeat measures whether the worker is
        # alive, whatever day RELAY_TODAY makes the dashboard show.
        private.write_json(self.folder / HEARTBEAT, {"pid": os.getpid(), "at": time.time()})

    @contextmanager
    def _beating(self) -> Iterator[None]:
        """Keep the heartbeat fresh while a job runs: an import of millions of rows takes
        longer than STALE_SECONDS, and its command must not think the dashboard gone."""
        done = threading.Event()

        def beat() -> None:
            failed = None
            while not done.wait(POLL_SECONDS):
                try:
                    self._beat()
                except Exception as error:  # noqa: BLE001 - logged once; it goes on
                    if str(error) != failed:
                        log.warning("the inbox heartbeat: %s", error)
                    failed = str(error)

        thread = threading.Thread(target=beat, name="relay-inbox-beat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def _take(self, request: Path) -> None:
        files = JobFiles(self.folder, request.name.split(".")[0])
        try:
            os.rename(request, files.working)
        except FileNotFoundError:  # taken back by its sender, or by another worker
            return
        try:
            private.write_json(files.result, self._answer(files))
            if files.abandoned.exists():  # nobody waits for the answer
                files.result.unlink(missing_ok=True)
                files.abandoned.unlink(missing_ok=True)
        finally:
            files.discard()

    def _answer(self, files: JobFiles) -> dict[str, Any]:
        started = clock.now()
        try:
            job = json.loads(files.working.read_text())
        except FileNotFoundError:  # cancelled as soon as it was claimed
            try:
                job = json.loads(files.cancel.read_text())
            except (OSError, ValueError) as error:
                return _error(error)
            self._record(job, f"{job.get('file_name')}: {CANCELLED}", started)
            return _error(Cancelled(CANCELLED), cancelled=True)
        except (OSError, ValueError) as error:
            return _error(error)
        try:
            # Every job reads the whole store first: a store that went bad while the
            # dashboard ran is refused (and marked so) before anything is written to it.
            store.check_writable(self.connection)
            store.verify(self.connection, self.store_path)
            answer = run_job(self.connection, job, progress=self._progress(files, job))
        except Cancelled as error:
            self._record(job, str(error), started)
            return _error(error, cancelled=True)
        except importing.ImportFailed as error:  # importing.run recorded it
            return _error(error)
        except store.StoreError as error:  # damaged or full: nothing can be recorded in it
            return _error(error)
        except Exception as error:  # noqa: BLE001 - the sender reports it
            log.exception("job %s failed", files.job_id)
            self._record(job, f"{job.get('file_name')} was not imported, so nothing of it was "
                              f"written: {error}", started)
            return _error(error)
        if answer.get("written"):
            self.on_change()
        return answer

    def _progress(self, files: JobFiles, job: dict[str, Any]) -> Callable[[str], None]:
        def progress(step: str) -> None:
            if not step.startswith(importing.WRITING):
                return
            with sql.cursor(self.connection) as cursor:
                imports_before = importing.latest_import_id(cursor)
            try:  # the last moment to cancel: from here on the import is written
                os.rename(files.working, files.writing)
            except FileNotFoundError:
                raise Cancelled(f"{job['file_name']}: {CANCELLED}") from None
            # So that a restarted worker can tell whether this write was committed.
            private.write_json(files.writing, {**job, "imports_before": imports_before})
        return progress

    def _record(self, job: dict[str, Any], message: str, started=None) -> None:
        """Put a failed import in the history (not a dry run: those are never recorded)."""
        if job.get("kind") != "import" or job.get("dry_run"):
            return
        try:
            with identity.acting_as(identity.command_line(job.get("actor"))):
                importing.record_unfinished(self.connection, str(job.get("file_name")),
                                            str(job.get("table")), job.get("layout"), message,
                                            started)
        except Exception:  # noqa: BLE001 - e.g. the disk is full: the log says it
            log.exception("could not record the failed import of %s", job.get("file_name"))

    def _recover(self) -> None:
        """Record the jobs a dashboard that stopped mid-job left behind, and remove them."""
        for state in STATES[1:]:
            for leftover in sorted(self.folder.glob(f"*.{state}.json")):
                files = JobFiles(self.folder, leftover.name.split(".")[0])
                try:
                    job = json.loads(leftover.read_text())
                except (OSError, ValueError):
                    job = {}
                if not self._was_written(job, state):
                    self._record(job, f"{job.get('file_name')}: {STOPPED}")
                    try:  # for a command still waiting; recorded once even if this fails
                        private.write_json(files.result, _error(HandoffError(STOPPED)))
                    except OSError as error:
                        log.warning("could not answer the stopped job %s: %s", files.job_id,
                                    error)
                files.discard()

    def _was_written(self, job: dict[str, Any], state: str) -> bool:
        if state != "writing" or "imports_before" not in job:
            return False  # it stopped before the write began
        with sql.cursor(self.connection) as cursor:
            return importing.imported_since(
                cursor, job["imports_before"], job["file_name"], job["table"],
                identity.command_line(job.get("actor")).audit_name)

    def _sweep(self) -> None:
        """Remove answers nobody collected and partial files of a write that failed."""
        now = time.time()
        for path in [*self.folder.glob("*.result.json"), *self.folder.glob("*.partial"),
                     *self.folder.glob("*.abandoned")]:
            try:
                if now - path.stat().st_mtime > ORPHAN_SECONDS:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:
                pass


def _error(error: BaseException, cancelled: bool = False) -> dict[str, Any]:
    answer = {"error": str(error), "error_type": type(error).__name__}
    if cancelled:
        answer["cancelled"] = True
    return answer


_workers: dict[str, Worker] = {}
_workers_lock = threading.Lock()


def start_worker(store_path: Path, connection: duckdb.DuckDBPyConnection,
                 on_change: Callable[[], None]) -> Worker:
    """The process's inbox worker for this store, started once."""
    key = str(Path(store_path).resolve())
    with _workers_lock:
        worker = _workers.get(key)
        if worker is None or not worker.is_alive():
            worker = Worker(Path(store_path), connection, on_change)
            worker.start()
            _workers[key] = worker
        return worker


def worker_problem(store_path: Path) -> str | None:
    """Why this process's inbox worker for the store took no jobs in its last round, if it
    did not (an inbox another user made, a full disk)."""
    worker = _workers.get(str(Path(store_path).resolve()))
    return None if worker is None or not worker.is_alive() else worker.problem


def stop_worker(store_path: Path) -> None:
    """Stop this process's inbox worker for the store (before its connection is closed)."""
    key = str(Path(store_path).resolve())
    with _workers_lock:
        worker = _workers.pop(key, None)
    if worker is not None:
        worker.stopping.set()
        worker.join()
        try:  # never in an inbox someone else made
            private.check(worker.folder, PURPOSE)
            (worker.folder / HEARTBEAT).unlink(missing_ok=True)
        except (OSError, private.NotPrivate):  # gone, or not ours: left as it is
            pass
