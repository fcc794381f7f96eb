"""python -m benchmarks.shared --postgres URL: what the shared store (relay.replica) costs,
measured on an empty PostgreSQL database.

- **Import**: `--import-leads` leads from CSV (written by `relay export` from a demo store,
  after its people and campaigns), on the embedded store and on replica A of the shared
  store, where the import also ships its rows to PostgreSQL.
- **Catch-up after the import**: replica B, which copied the store before the import, polls
  once: the change log read and the rows applied, summaries rebuilt.
- **Full load**: a new replica's copy loaded in full after the import.
- **Goal save**: one goal's target saved on replica A (the write lock, catching up, the
  DuckDB transaction, the rows to PostgreSQL), against the same save on the embedded store;
  and replica B's catch-up after it. Medians over `--repetitions` saves.
- **Pages** (`--pages`): every page cold and warm on replica B's copy, opened as a replica,
  and on the embedded store with the same data (benchmarks.bench.measure_app).

Timings are wall-clock on this machine, with PostgreSQL wherever URL points.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import bench
from relay import clock, demo, exporting, goals, importing, replica, sql, store
from relay.cli import leads_count
from relay.identity import Actor, ActorKind, Role, acting_as

IMPORT_LEADS = 100_000
REPETITIONS = 5


def _timed(work, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = work(*args, **kwargs)
    return time.perf_counter() - started, result


def _csv_files(leads: int, folder: Path) -> dict[str, Path]:
    """People, campaigns and leads of a demo company of `leads` leads, as CSV."""
    source = folder / "source.duckdb"
    demo.build(source, demo.DemoSpec(as_of=clock.today(), leads=leads))
    connection = store.open_file(source, read_only=True)
    files = {}
    try:
        for table in ("people", "campaigns", "leads"):
            files[table] = folder / f"{table}.csv"
            with sql.cursor(connection) as cursor:
                exporting.export_table(cursor, table, "csv", files[table])
    finally:
        connection.close()
    return files


def _import(connection, files: dict[str, Path], table: str) -> float:
    seconds, outcome = _timed(importing.run, connection, files[table], table)
    if not outcome.written:
        raise RuntimeError(f"the {table} import was refused: {outcome.preview.summary()}")
    return seconds


def _goal_saves(connection, repetitions: int, after_each=None) -> tuple[list[float], list]:
    """Save one goal's target `repetitions` times: the seconds of each save (and of
    `after_each()` after each, when given)."""
    today = clock.today()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    goal_id = goals.add_goal(connection, quarter, "pipeline", None, None, 1_000, "shared")
    saves, afters = [], []
    for repetition in range(repetitions):
        with sql.cursor(connection) as cursor:
            version = sql.row(cursor, "goal_by_id", goal_id=goal_id)["version"]
        seconds, _ = _timed(goals.save_targets, connection,
                            [goals.TargetEdit(goal_id, version, 2_000 + repetition)])
        saves.append(seconds)
        if after_each is not None:
            afters.append(_timed(after_each)[0])
    return saves, afters


def _ms(seconds: list[float] | float) -> float:
    value = statistics.median(seconds) if isinstance(seconds, list) else seconds
    return round(value * 1000, 1)


def _pages(url: str, folder: Path, repetitions: int) -> dict:
    """Every page's warm and cold times (benchmarks.bench.measure_app, in a process that
    plays the dashboard) on replica B's copy, opened as a replica, and on the embedded
    store holding the same data."""
    embedded = bench._in_child(bench.measure_app, str(folder / "embedded.duckdb"),
                               clock.today().isoformat(), repetitions)
    os.environ[replica.URL_ENV] = url  # the spawned child opens its copy as a replica
    try:
        shared = bench._in_child(bench.measure_app, str(folder / "b.duckdb"),
                                 clock.today().isoformat(), repetitions)
    finally:
        del os.environ[replica.URL_ENV]
    return {page: {label: {f"{measure}_ms_{where}": runs[page][label][f"{measure}_ms"]
                           for measure in ("cold", "warm")
                           for where, runs in (("embedded", embedded["pages"]),
                                               ("shared", shared["pages"]))}
                   for label in bench.FILTERS}
            for page in embedded["pages"]}


def measure(url: str, import_leads: int, repetitions: int, with_pages: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="relay-bench-shared-") as name:
        folder = Path(name)
        files = _csv_files(import_leads, folder)
        embedded = store.create(folder / "embedded.duckdb")
        try:
            for table in ("people", "campaigns"):
                _import(embedded, files, table)
            embedded_import = _import(embedded, files, "leads")
            embedded_saves, _ = _goal_saves(embedded, repetitions)
        finally:
            embedded.close()
        first = replica.open_copy(folder / "a.duckdb", url)
        second = replica.open_copy(folder / "b.duckdb", url)
        try:
            for table in ("people", "campaigns"):
                _import(first, files, table)
            replica.for_connection(second).poll_once()
            shared_import = _import(first, files, "leads")
            catch_up_import, changed = _timed(replica.for_connection(second).poll_once)
            held = second.execute("select count(*) from leads").fetchone()[0]
            if held != import_leads or "leads" not in changed:
                raise RuntimeError(f"replica B holds {held:,} of {import_leads:,} leads")
            for table in ("import_row_changes", "audit_log", "people"):
                counts = {connection.execute(f"select count(*) from {table}").fetchone()[0]
                          for connection in (first, second)}  # noqa: S608 (our names)
                if len(counts) != 1:
                    raise RuntimeError(f"replicas A and B differ in {table}: {counts}")
            full_load, third = _timed(replica.open_copy, folder / "c.duckdb", url)
            replica.for_connection(third).close()
            third.close()
            shared_saves, catch_up_saves = _goal_saves(
                first, repetitions, replica.for_connection(second).poll_once)
        finally:
            for path, connection in (("a", first), ("b", second)):
                replica.stop_following(folder / f"{path}.duckdb")
                connection.close()
            replica.close_pools()
        pages = _pages(url, folder, repetitions) if with_pages else {}
    return {
        "import_leads": import_leads,
        "import_seconds_embedded": round(embedded_import, 2),
        "import_seconds_shared": round(shared_import, 2),
        "catch_up_after_import_seconds": round(catch_up_import, 2),
        "full_load_seconds": round(full_load, 2),
        "goal_save_ms_embedded": _ms(embedded_saves),
        "goal_save_ms_shared": _ms(shared_saves),
        "catch_up_after_goal_save_ms": _ms(catch_up_saves),
        "goal_save_ms_shared_all": [_ms(s) for s in shared_saves],
        "catch_up_after_goal_save_ms_all": [_ms(s) for s in catch_up_saves],
        "pages": pages,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.shared",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, metavar="URL",
                        help="an empty PostgreSQL database, postgresql://…")
    parser.add_argument("--import-leads", type=leads_count, default=IMPORT_LEADS)
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument("--pages", action="store_true",
                        help="also every page's times on a replica's copy and on the file")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    args = parser.parse_args(argv)
    with acting_as(Actor("Bench", Role.ADMIN, how=ActorKind.LOCAL)):
        results = measure(args.postgres, args.import_leads, args.repetitions, args.pages)
    for key, value in results.items():
        if key != "pages":
            print(f"{key}: {value}")
    for page, by_filter in results["pages"].items():
        for label, times in by_filter.items():
            print(f"page {page} ({label}): " + ", ".join(f"{name} {value}"
                                                         for name, value in times.items()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
