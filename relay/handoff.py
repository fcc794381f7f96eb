"""Imports and exports from the command line while the dashboard holds the store open.

DuckDB lets one process open a store file for writing, and the dashboard keeps it open for
its whole life. So when `python -m relay import` (or `export`) finds the store held, it hands
the job to the dashboard: it drops a request file into the store's inbox folder, the
dashboard's inbox worker (a thread started with its store connection) runs the very same
import on its own connection and writes the result beside it, and the command prints that
result and exits as if it had done the work itself. The worker refreshes a heartbeat file,
so a command never waits on a dashboard that is gone.

Requests are claimed by renaming them, so each is run once even with several dashboards
started on the same folder by mistake (only one of which can hold the store anyway).
"""

from __future__ import annotations

import json
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from relay import exporting, identity, importing, store

POLL_SECONDS = 0.5
STALE_SECONDS = 10.0  # a heartbeat older than this: no dashboard is answering
HEARTBEAT = "worker.json"


class HandoffError(Exception):
    """The running dashboard could not take the job; nothing was done through it."""


def inbox(store_path: Path) -> Path:
    store_path = Path(store_path).resolve()
    return store_path.with_name(store_path.name + ".inbox")


def worker_alive(store_path: Path) -> bool:
    """Whether a dashboard holding this store is taking jobs now."""
    try:
        beat = json.loads((inbox(store_path) / HEARTBEAT).read_text())
    except (OSError, ValueError):
        return False
    return time.time() - beat.get("at", 0) < STALE_SECONDS


def _write_atomically(path: Path, payload: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(payload, default=str))
    os.replace(partial, path)


def submit(store_path: Path, job: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Hand `job` to the dashboard and wait for its result."""
    folder = inbox(store_path)
    job_id = uuid.uuid4().hex
    request = folder / f"{job_id}.request.json"
    result = folder / f"{job_id}.result.json"
    _write_atomically(request, job)
    deadline = time.monotonic() + timeout
    while not result.exists():
        if not worker_alive(store_path):
            request.unlink(missing_ok=True)
            raise HandoffError("the dashboard holding the store stopped answering before the "
                               "job finished; an import it had started was rolled back "
                               "(the Data page's history says)")
        if time.monotonic() > deadline:
            if request.exists():  # not claimed yet: take it back
                request.unlink(missing_ok=True)
            raise HandoffError(f"the dashboard did not finish the job within {timeout:.0f} s")
        time.sleep(0.1)
    try:
        return json.loads(result.read_text())
    finally:
        result.unlink(missing_ok=True)


def run_job(connection: duckdb.DuckDBPyConnection, job: dict[str, Any],
            progress: Callable[[str], None] = lambda step: None) -> dict[str, Any]:
    """Do an import, export or backup job as the command line asked; what it answers
    with."""
    if job["kind"] == "backup":
        exporting.backup(connection, Path(job["output"]))
        return {"output": job["output"]}
    if job["kind"] == "export":
        cursor = connection.cursor()
        try:
            rows = exporting.export_table(cursor, job["table"], job["format"],
                                          Path(job["output"]))
        finally:
            cursor.close()
        return {"rows": rows}
    # The command line's user, also when the dashboard's worker runs the job for it: they
    # could have written the store file themselves.
    with identity.acting_as(identity.command_line(job["actor"])):
        outcome = importing.run(connection, Path(job["file"]), job["table"],
                                file_name=job["file_name"], layout=job["layout"],
                                dry_run=job["dry_run"], progress=progress)
    return outcome_json(outcome)


def outcome_json(outcome: importing.Outcome) -> dict[str, Any]:
    preview = outcome.preview
    return {"written": outcome.written, "import_id": outcome.import_id,
            "layout": preview.layout, "summary": preview.summary(),
            "counts": preview.counts(), "new_people": preview.new_people,
            "problems": [str(problem) for problem in preview.problems]}


class Worker(threading.Thread):
    """Runs the jobs dropped into a store's inbox, one at a time, on the given connection."""

    def __init__(self, store_path: Path, connection: duckdb.DuckDBPyConnection,
                 on_change: Callable[[], None]):
        super().__init__(name="relay-inbox", daemon=True)
        self.store_path = Path(store_path)
        self.folder = inbox(store_path)
        self.connection = connection
        self.on_change = on_change
        self.stopping = threading.Event()

    def run(self) -> None:
        self.folder.mkdir(exist_ok=True)
        while not self.stopping.is_set():
            _write_atomically(self.folder / HEARTBEAT, {"pid": os.getpid(), "at": time.time()})
            for request in sorted(self.folder.glob("*.request.json")):
                self._take(request)
            self.stopping.wait(POLL_SECONDS)

    def _take(self, request: Path) -> None:
        claimed = request.with_name(request.name.replace(".request.", ".working."))
        try:
            os.replace(request, claimed)
        except FileNotFoundError:  # taken back by its sender, or by another worker
            return
        result = request.with_name(request.name.replace(".request.", ".result."))
        try:
            job = json.loads(claimed.read_text())
            # Every job reads the whole store first: a store that went bad while the
            # dashboard ran is refused (and marked so) before anything is written to it.
            store.check_writable(self.connection)
            store.verify(self.connection, self.store_path)
            answer = run_job(self.connection, job)
            if answer.get("written"):
                self.on_change()
        except Exception as error:  # the sender reports it; the worker goes on
            answer = {"error": str(error), "error_type": type(error).__name__,
                      "trace": traceback.format_exc(limit=3)}
        _write_atomically(result, answer)
        claimed.unlink(missing_ok=True)


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


def stop_worker(store_path: Path) -> None:
    """Stop this process's inbox worker for the store (before its connection is closed)."""
    key = str(Path(store_path).resolve())
    with _workers_lock:
        worker = _workers.pop(key, None)
    if worker is not None:
        worker.stopping.set()
        worker.join()
        (worker.folder / HEARTBEAT).unlink(missing_ok=True)
