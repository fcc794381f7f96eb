"""python -m benchmarks.bench: how fast the dashboard is at a given scale, measured.

In one run, on demo stores built by the same generator as `relay demo`:

- **Build**: the store at the chosen scale (`--leads`) and at the default demo size, each
  built by `relay demo` in its own process (seconds, peak memory), or reused when a store of
  that size already sits in the bench folder.
- **Pages**: every page, with its default filters and with one region, run in full by
  Streamlit's AppTest (the server-side work of a page view) in a separate process that
  plays the dashboard: *cold* right after a restart (store reopened, every cache empty),
  with the time of each query it ran; *warm*, the same view again; and the *floor*, the
  page drawn from its figures already in memory (no queries, no cache look-ups). The
  process's peak memory once every page has been visited is the app's RSS.
- **Naive reference**: the same headline figures computed the common way, by loading the
  tables the page reads into pandas and filtering there (benchmarks.naive), in a process of its
  own. Its figures are checked against the page's.
- **Import**: leads from CSV into a fresh store, the way `relay import` does it.
- **Drill-downs**: every figure's records (relay.drill) for the last closed quarter,
  company-wide (the calendar's over the same days; a row's for the first campaign, channel,
  rep, team and region), capped at relay.drill.ROW_LIMIT rows as the dashboard opens them:
  *cold*, the first opening in a fresh process, and the median of the repetitions after it.

Timings are medians over the repetitions. Targets are in TARGETS; `--json` writes it all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import types
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from benchmarks import naive
from relay import PROJECT_ROOT, clock, demo, drill, exporting, importing, settings, sql, store
from relay.cli import leads_count
from relay.fiscal import Quarter
from relay.forecasting import people, reps_in_scope
from relay.ui.pages import PAGES
from relay.views import calendar

REPETITIONS = 3
IMPORT_LEADS = 1_000_000
DEFAULT_FOLDER = PROJECT_ROOT / "data" / "bench"
FILTERS = ("default", "region")
TARGETS = {
    "warm_ms": 300, "cold_ms": 500, "warm_over_floor": 1.5, "scale_ratio": 1.5,
    "naive_over_warm": 20, "app_rss_mb": 1024, "build_seconds": 90, "import_seconds": 20,
    "import_rss_mb": 2048, "drill_ms": 1000,
}


class BenchError(Exception):
    """The benchmark could not measure what it was asked to (a page failed, figures differ)."""


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_child(function, *args) -> Any:
    """Run function(*args) in a fresh Python process, so that its memory is its own. A
    child that dies raises BrokenProcessPool rather than leaving the run waiting."""
    context = multiprocessing.get_context("spawn")
    # A spawned child runs this process's __main__ again; after an AppTest run (in the
    # tests) that is dashboard.py, which must not start outside Streamlit.
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(function, *args).result()
    finally:
        sys.modules["__main__"] = main


def _median_time(repetitions: int, work, *args) -> tuple[float, Any]:
    """The median seconds `work(*args)` takes over the repetitions, and its last result."""
    timings = []
    for _ in range(repetitions):
        started = time.perf_counter()
        result = work(*args)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


# --- stores ------------------------------------------------------------------------------

def demo_store(leads: int, folder: Path) -> tuple[Path, dict]:
    """A demo store of `leads` leads in the folder: reused when one is there, else built by
    `relay demo` in its own process, timed."""
    path = folder / f"demo-{leads}.duckdb"
    if path.exists():
        try:
            connection = store.open_store(path, read_only=True)
            try:
                stored = connection.execute("select count(*) from leads").fetchall()[0][0]
            finally:
                connection.close()
            if stored == leads:
                return path, {"leads": leads, "reused": True}
        except store.StoreError:
            pass  # older schema or damaged: build it again
        path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "relay", "demo", "--db", str(path), "--leads", str(leads)],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise BenchError(f"building the {leads:,}-lead store failed: {child.stderr.read()}")
    return path, {"leads": leads, "reused": False, "seconds": round(seconds, 2),
                  "peak_rss_mb": round(usage.ru_maxrss / 1024)}


def _touches(path: Path) -> int:
    """The campaign touches in the store (the demo's journeys: about three per lead)."""
    connection = store.open_store(path, read_only=True)
    try:
        return sql.scalar(connection, "count_rows", identifiers={"table": "touches"})
    finally:
        connection.close()


def _as_of(path: Path) -> str:
    """The day the demo store was built as of: its figures are pinned to it."""
    connection = store.open_store(path, read_only=True)
    try:
        rows = connection.execute(
            "select value from settings where key = 'demo_as_of'").fetchall()
    finally:
        connection.close()
    return rows[0][0] if rows else clock.today().isoformat()


# --- pages, as the dashboard runs them ------------------------------------------------------

@contextmanager
def _query_log():
    """Every named query run through relay.sql meanwhile, with its time."""
    from relay import sql

    log: list[tuple[str, float]] = []

    def timed(run):
        def wrapper(cursor, name, /, **params):
            started = time.perf_counter()
            try:
                return run(cursor, name, **params)
            finally:
                log.append((name, time.perf_counter() - started))
        return wrapper

    with mock.patch.multiple(sql, **{n: timed(getattr(sql, n))
                                     for n in ("frame", "records", "row", "execute")}):
        yield log


@contextmanager
def _from_memory():
    """Every cached data function of the app answers from a dict filled on its first call:
    the page then draws from figures already in memory. Yields the calls to cache.view."""
    from streamlit.runtime.caching.cache_utils import CachedFunc

    from relay.ui import cache, calendar, data, forecast, goals

    views: dict[str, Any] = {}
    with ExitStack() as patches:
        for module in (cache, data, goals, calendar, forecast):
            for name, function in vars(module).items():
                if isinstance(function, CachedFunc) and name != "connection":
                    patches.enter_context(mock.patch.object(module, name,
                                                            _memo(function, name, views)))
        yield views


def _memo(function, name: str, views: dict[str, Any]):
    """`function` answering from memory; the first view of each name is kept in `views`."""
    remembered: dict[str, Any] = {}

    def answer(*args, **kwargs):
        # As st.cache_data, an argument named with a leading underscore is not in the key
        # (cache._view's _read_part, a new closure each call).
        key = repr((args, sorted((k, v) for k, v in kwargs.items() if not k.startswith("_"))))
        if key not in remembered:
            remembered[key] = function(*args, **kwargs)
            if name == "_view":  # relay.ui.cache.view's cached half: args[0] is the view
                views.setdefault(args[0], remembered[key])
        return remembered[key]
    return answer


@functools.cache
def _components():
    """Streamlit's registry of installed components, found once. A server scans the installed
    packages for components when it starts; AppTest does so on each new AppTest's first run
    (about 100 ms here), which is not the work of a page view."""
    from streamlit.components.v2.component_manager import BidiComponentManager

    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def _run_page(page_path: str, query: dict[str, str]) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=600)
    at._bidi_component_manager = _components()  # found once, as a server does
    # As the local admin, whatever this machine's secrets.toml says: every page, all of it.
    at.secrets = {"local": {"role": "admin"}}
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page_path)
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    if at.exception or at.error or not at.title:
        problem = at.exception or at.error or "no title drawn"
        raise BenchError(f"{page_path} {query} failed: {problem}")
    return seconds


def measure_app(path: str, as_of: str, repetitions: int) -> dict:
    """Runs in its own process, which plays the dashboard: every page cold, warm and from
    memory; its peak memory at the end is the app's."""
    os.environ["RELAY_DB"], os.environ["RELAY_TODAY"] = path, as_of
    from relay import filters
    from relay.ui import opened_store

    started = time.perf_counter()
    _run_page(PAGES[-1].path, {})  # the modules load once, when the dashboard starts
    start_seconds = time.perf_counter() - started
    connection = opened_store.connection(path)
    with sql.cursor(connection) as cursor:
        config = settings.load(cursor)
        available = filters.options(cursor, clock.today(), config.fiscal_year_start_month)
    region = available.regions[0]
    pages: dict[str, dict] = {}
    views: dict[str, dict[str, dict[str, Any]]] = {}
    for page in PAGES:
        for label in FILTERS:
            query = {"region": region} if label == "region" else {}
            opened_store.restart(path)
            with _query_log() as log:
                cold = _run_page(page.path, query)
            warm = [_run_page(page.path, query) for _ in range(repetitions)]
            with _from_memory() as drawn:
                _run_page(page.path, query)
                floor = [_run_page(page.path, query) for _ in range(repetitions)]
            queries: dict[str, float] = {}
            for name, seconds in log:
                queries[name] = queries.get(name, 0.0) + seconds
            pages.setdefault(page.name, {})[label] = {
                "query": query,
                "cold_ms": _ms(cold),
                "warm_ms": _ms(statistics.median(warm)),
                "floor_ms": _ms(statistics.median(floor)),
                "queries_ms": _ms(sum(queries.values())),
                "queries_run": len(log),
                "query_ms": {name: _ms(s) for name, s in
                             sorted(queries.items(), key=lambda item: -item[1])},
            }
            views.setdefault(page.name, {})[label] = drawn
    return {"start_seconds": round(start_seconds, 2), "region": region,
            "peak_rss_mb": round(peak_rss_mb()), "pages": pages, "views": views}


# --- the naive reference ---------------------------------------------------------------------

def measure_naive(path: str, views: dict[str, dict[str, Any]], repetitions: int) -> dict:
    """Runs in its own process: each table loaded into pandas, then each page's headline
    figures computed from the frames and checked against the page's own."""
    connection = store.open_store(Path(path), read_only=True)
    try:
        tables, load_seconds = {}, {}
        for table in sorted({t for _, needed, _ in naive.PAGES.values() for t in needed}):
            load_seconds[table], tables[table] = _median_time(repetitions, naive.load,
                                                              connection, table)
    finally:
        connection.close()
    pages: dict[str, dict] = {}
    mismatches = []
    for page, (_, needed, compute) in naive.PAGES.items():
        for label in FILTERS:
            view = views[page][label]
            compute_seconds, figures = _median_time(
                repetitions, compute, {t: tables[t] for t in needed}, view)
            if view is not None:
                for key, value in figures.items():
                    shown = naive.shown(view, key)
                    if not _agree(shown, value):
                        mismatches.append(f"{page} ({label}): {key} naive {value}, page {shown}")
            load = sum(load_seconds[t] for t in needed)
            pages.setdefault(page, {})[label] = {
                "load_ms": _ms(load), "compute_ms": _ms(compute_seconds),
                "total_ms": _ms(load + compute_seconds),
                "figures_checked": sorted(figures) if view is not None else [],
            }
    if mismatches:
        raise BenchError("the naive reference disagrees with the pages: " + "; ".join(mismatches))
    return {"load_ms": {t: _ms(s) for t, s in load_seconds.items()}, "pages": pages}


def _agree(shown, computed) -> bool:
    if isinstance(computed, list):
        return (isinstance(shown, list) and len(shown) == len(computed)
                and all(_agree(a, b) for a, b in zip(shown, computed, strict=True)))
    if computed is None:  # a figure the page shows none of (a goal not measured)
        return shown is None
    return shown is not None and abs(shown - computed) <= 0.005


# --- importing -----------------------------------------------------------------------------

def measure_import(leads: int, folder: Path, repetitions: int = REPETITIONS) -> dict:
    """Leads from CSV (written by `relay export`) into a fresh store with its people and
    campaigns, as `relay import` does it."""
    source = folder / "source.duckdb"
    started = time.perf_counter()
    demo.build(source, demo.DemoSpec(as_of=clock.today(), leads=leads))
    build_seconds = time.perf_counter() - started
    files = {}
    connection = store.open_store(source, read_only=True)
    try:
        for table in ("people", "campaigns", "leads"):
            files[table] = folder / f"{table}.csv"
            with sql.cursor(connection) as cursor:
                exporting.export_table(cursor, table, "csv", files[table])
    finally:
        connection.close()
    timings, peaks = [], []
    for repetition in range(repetitions):
        target = folder / f"import-{repetition}.duckdb"
        connection = store.create(target)
        try:
            for table in ("people", "campaigns"):
                outcome = importing.run(connection, files[table], table)
                assert outcome.written, outcome.preview.summary()
        finally:
            connection.close()
        seconds, peak = _import_in_own_process(files["leads"], target)
        timings.append(seconds)
        peaks.append(peak)
        connection = store.open_store(target, read_only=True)
        try:
            stored = connection.execute("select count(*) from leads").fetchall()[0][0]
        finally:
            connection.close()
        if stored != leads:
            raise BenchError(f"the import stored {stored:,} of {leads:,} leads")
        target.unlink()
    return {
        "leads": leads,
        "csv_megabytes": round(files["leads"].stat().st_size / 2**20, 1),
        "demo_build_seconds": round(build_seconds, 2),
        "import_seconds_median": round(statistics.median(timings), 2),
        "import_seconds_all": [round(t, 2) for t in timings],
        "leads_per_second": round(leads / statistics.median(timings)),
        "import_peak_rss_mb": max(peaks),
        "import_peak_rss_mb_all": peaks,
        "peak_rss_mb": round(peak_rss_mb()),  # this process: the demo build and exports
    }


def _import_in_own_process(csv_path: Path, target: Path) -> tuple[float, int]:
    """`relay import` of the leads file into `target`, in a process of its own: (seconds,
    its peak resident memory in MB). The child reads its peak itself (VmHWM, see
    _import_child): the rusage that wait4 reports would not do, since Linux carries the
    forking parent's high-water mark over into the child's ru_maxrss."""
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", "import sys; from benchmarks import bench; "
         "sys.exit(bench._import_child(sys.argv[1], sys.argv[2]))", str(csv_path),
         str(target)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise BenchError(f"importing {csv_path.name} failed: {child.stderr}")
    peak_kib = int(child.stdout.split()[-1])
    return seconds, round(peak_kib / 1024)


def _import_child(csv_path: str, target: str) -> int:
    """In the child: `relay import`, then this process's peak resident memory in KiB as the
    last word written (the high-water mark of its own memory since it started)."""
    from relay import cli

    code = cli.main(["import", csv_path, "--table", "leads", "--db", target])
    status = Path("/proc/self/status").read_text()
    peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    print(peak)
    return code


def _measure_import_in(leads: int, repetitions: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="relay-bench-") as folder:
        return measure_import(leads, Path(folder), repetitions)


# --- drill-downs ----------------------------------------------------------------------------

def measure_drills(path: str, as_of: str, repetitions: int) -> dict:
    """Each drill-down of the last closed quarter, company-wide, as the dashboard opens it
    (at most drill.ROW_LIMIT rows): the first opening in this fresh process (cold), and the
    median over the repetitions after it. A row's drill-down (a campaign's leads, a trend
    bar) opens the quarter's first campaign and the quarter itself."""
    connection = store.open_store(path, read_only=True)
    day = dt.date.fromisoformat(as_of)
    results = {}
    try:
        with sql.cursor(connection) as cursor:
            start_month = settings.load(cursor).fiscal_year_start_month
            quarter = Quarter.containing(day, start_month).shift(-1)
            whole = drill.Scope(quarter, None, None, day)
            items = _drill_items(cursor, whole)
            # The calendar's counts over the same days as the quarter.
            days = calendar.CalendarFilters(quarter.start, quarter.last_day)
            for key, definition in drill.DRILLS.items():
                if definition in drill.CALENDAR_DRILLS:
                    scope = drill.RangeScope(days, day)
                else:
                    scope = drill.Scope(quarter, None, None, day, items.get(definition.item))
                started = time.perf_counter()
                found = drill.records(cursor, key, scope)
                cold = time.perf_counter() - started
                warm, _ = _median_time(repetitions, drill.records, cursor, key, scope)
                results[key] = {"cold_ms": _ms(cold), "warm_ms": _ms(warm),
                                "rows": len(found.rows), "count": found.count}
    finally:
        connection.close()
    return {"quarter": str(quarter), "row_limit": drill.ROW_LIMIT, "drills": results}


def _drill_items(cursor, whole: drill.Scope) -> dict:
    """The row each row's drill-down opens: the quarter's first campaign and its channel,
    the MQL → SAL step, the first rep in scope, their team (manager) and region."""
    campaigns = drill.records(cursor, "campaigns_run", whole, limit=1).rows
    reps = reps_in_scope(people(cursor), None, None)
    rep = reps.iloc[0] if len(reps) else None
    return {"quarter": str(whole.quarter),
            "campaign": campaigns["campaign_id"].iloc[0] if len(campaigns) else None,
            "channel": campaigns["channel"].iloc[0] if len(campaigns) else None,
            "step": "mql_to_sal",
            "rep": None if rep is None else rep["person_id"],
            "team": None if rep is None else rep["manager_id"] or "",
            "region": None if rep is None else rep["region"] or "No region"}


def drill_table(measured: dict) -> str:
    rows = [("drill-down", "records", "shown", "cold ms", "warm ms")] + [
        (key, f"{m['count']:,}", f"{m['rows']:,}", f"{m['cold_ms']:.0f}", f"{m['warm_ms']:.0f}")
        for key, m in measured["drills"].items()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join([f"drill-downs of {measured['quarter']}, company-wide, at most "
                      f"{measured['row_limit']:,} rows shown (target ≤ "
                      f"{TARGETS['drill_ms']:,} ms):"] + [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows])


def run_drills(leads: int, json_path: Path | None, repetitions: int = REPETITIONS,
               folder: Path = DEFAULT_FOLDER) -> dict:
    """Only the drill-down part of `run`, on the store of `leads` leads (built if missing)."""
    path, built = demo_store(leads, folder)
    results = {"leads": leads, "build": built, "cpus": os.cpu_count(), "targets": TARGETS,
               "drill": _in_child(measure_drills, str(path), _as_of(path), repetitions)}
    results["checks"] = [_drill_check(key, m) for key, m in
                         results["drill"]["drills"].items()]
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2, default=str))
    return results


def _drill_check(key: str, measured: dict) -> dict:
    slowest = max(measured["cold_ms"], measured["warm_ms"])
    return {"check": f"drill {key} ms", "value": slowest, "limit": TARGETS["drill_ms"],
            "at_least": False, "met": slowest <= TARGETS["drill_ms"]}


# --- the whole run -----------------------------------------------------------------------

def run(leads: int, json_path: Path | None, repetitions: int = REPETITIONS,
        import_leads: int = IMPORT_LEADS, folder: Path = DEFAULT_FOLDER,
        reference_leads: int = demo.DEFAULT_LEADS) -> dict:
    """The whole run at `leads`, with the warm pages compared to those of a store of
    `reference_leads` (the demo's size; the same store when they are equal)."""
    results: dict[str, Any] = {"leads": leads, "demo_leads": reference_leads,
                               "repetitions": repetitions, "cpus": os.cpu_count(),
                               "targets": TARGETS}
    path, results["build"] = demo_store(leads, folder)
    results["build"]["touches"] = _touches(path)  # what the campaign page's models read
    reference_path, results["build_at_demo_size"] = demo_store(reference_leads, folder)
    app = _in_child(measure_app, str(path), _as_of(path), repetitions)
    drawn = app.pop("views")
    views = {page: {label: drawn[page][label].get(naive.PAGES[page][0])
                    for label in FILTERS}
             for page in naive.PAGES}
    results["app"] = app
    results["naive"] = _in_child(measure_naive, str(path), views, repetitions)
    if path == reference_path:
        results["app_at_demo_size"] = app
    else:
        results["app_at_demo_size"] = _in_child(measure_app, str(reference_path),
                                                _as_of(reference_path), repetitions)
        results["app_at_demo_size"].pop("views")
    results["import_leads_csv"] = _in_child(_measure_import_in, import_leads, repetitions)
    results["drill"] = _in_child(measure_drills, str(path), _as_of(path), repetitions)
    results["checks"] = checks(results)
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2, default=str))
    return results


def run_import(import_leads: int, json_path: Path | None,
               repetitions: int = REPETITIONS) -> dict:
    """Only the import part of `run`: the leads CSV import, timed, with its peak memory."""
    results = {"import_leads_csv": _in_child(_measure_import_in, import_leads, repetitions),
               "cpus": os.cpu_count(), "targets": TARGETS}
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2, default=str))
    return results


def import_table(results: dict) -> str:
    imported = results["import_leads_csv"]
    return (f"import {imported['leads']:,} leads from CSV ({imported['csv_megabytes']} MB): "
            f"{imported['import_seconds_median']} s median "
            f"({', '.join(map(str, imported['import_seconds_all']))}); peak RSS of the import "
            f"process {imported['import_peak_rss_mb']:,} MB "
            f"({', '.join(map(str, imported['import_peak_rss_mb_all']))}; target ≤ "
            f"{TARGETS['import_rss_mb']:,}); {results['cpus']} CPUs")


def checks(results: dict) -> list[dict]:
    """Each target, per page where it is per page, with the measured figure and whether it
    is met."""
    found = []

    def check(what: str, value: float | None, limit: float, at_least: bool = False) -> None:
        met = value is not None and (value >= limit if at_least else value <= limit)
        found.append({"check": what, "value": value, "limit": limit,
                      "at_least": at_least, "met": met})

    pages, small = results["app"]["pages"], results["app_at_demo_size"]["pages"]
    for page, by_filter in pages.items():
        for label, measured in by_filter.items():
            where = f"{page} ({label})"
            check(f"{where} warm ms", measured["warm_ms"], TARGETS["warm_ms"])
            check(f"{where} cold ms", measured["cold_ms"], TARGETS["cold_ms"])
            check(f"{where} warm ÷ floor",
                  round(measured["warm_ms"] / measured["floor_ms"], 2),
                  TARGETS["warm_over_floor"])
            check(f"{where} warm at {results['leads']:,} ÷ at {results['demo_leads']:,}",
                  round(measured["warm_ms"] / small[page][label]["warm_ms"], 2),
                  TARGETS["scale_ratio"])
            naive_ms = results["naive"]["pages"][page][label]["total_ms"]
            check(f"{where} naive ÷ warm", round(naive_ms / measured["warm_ms"], 1),
                  TARGETS["naive_over_warm"], at_least=True)
    check("app peak RSS MB", results["app"]["peak_rss_mb"], TARGETS["app_rss_mb"])
    if not results["build"]["reused"]:
        check(f"build {results['leads']:,} leads s", results["build"]["seconds"],
              TARGETS["build_seconds"])
    check(f"import {results['import_leads_csv']['leads']:,} leads CSV s",
          results["import_leads_csv"]["import_seconds_median"], TARGETS["import_seconds"])
    check(f"import {results['import_leads_csv']['leads']:,} leads CSV peak RSS MB",
          results["import_leads_csv"]["import_peak_rss_mb"], TARGETS["import_rss_mb"])
    found += [_drill_check(key, m) for key, m in results["drill"]["drills"].items()]
    return found


def table(results: dict) -> str:
    """The results as the tables the closing notes quote."""
    pages, small = results["app"]["pages"], results["app_at_demo_size"]["pages"]
    naive_pages = results["naive"]["pages"]
    header = ("page", "filter", "cold ms", "warm ms", "floor ms", "warm/floor",
              f"warm@{results['demo_leads'] // 1000}k", "scale", "naive ms", "naive/warm",
              "slowest queries (cold, ms)")
    rows = [header]
    for page, by_filter in pages.items():
        for label, measured in by_filter.items():
            warm_small = small[page][label]["warm_ms"]
            naive_ms = naive_pages[page][label]["total_ms"]
            slowest = ", ".join(f"{name} {ms:.0f}" for name, ms in
                                list(measured["query_ms"].items())[:3])
            rows.append((
                page, label, f"{measured['cold_ms']:.0f}", f"{measured['warm_ms']:.0f}",
                f"{measured['floor_ms']:.0f}",
                f"{measured['warm_ms'] / measured['floor_ms']:.2f}", f"{warm_small:.0f}",
                f"{measured['warm_ms'] / warm_small:.2f}", f"{naive_ms:,.0f}",
                f"{naive_ms / measured['warm_ms']:.0f}×", slowest,
            ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in rows]
    build, imported = results["build"], results["import_leads_csv"]
    built = ("reused" if build["reused"]
             else f"{build['seconds']} s, peak RSS {build['peak_rss_mb']:,} MB")
    lines += [
        "",
        f"store: {results['leads']:,} leads ({built}); {results['repetitions']} repetitions; "
        f"{results['cpus']} CPUs",
        f"app peak RSS with every page visited: {results['app']['peak_rss_mb']:,} MB",
        f"import {imported['leads']:,} leads from CSV ({imported['csv_megabytes']} MB): "
        f"{imported['import_seconds_median']} s median "
        f"({', '.join(map(str, imported['import_seconds_all']))}), peak RSS "
        f"{imported['import_peak_rss_mb']:,} MB",
        "",
        drill_table(results["drill"]),
    ]
    missed = [c for c in results["checks"] if not c["met"]]
    lines.append(f"targets: {len(results['checks']) - len(missed)} of "
                 f"{len(results['checks'])} met")
    lines += [f"  missed: {c['check']} = {c['value']} (target {'≥' if c['at_least'] else '≤'} "
              f"{c['limit']})" for c in missed]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--crowd"]:  # the crowd on the real server: benchmarks.crowd's options
        from benchmarks import crowd

        return crowd.main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description="Measure every page, cold and warm, against the naive and floor "
                    "references, at a chosen scale; and importing leads.")
    parser.add_argument("--leads", type=leads_count, default=10_000_000,
                        help="leads in the generated company (default 10,000,000)")
    parser.add_argument("--import-leads", type=leads_count, default=IMPORT_LEADS,
                        help="leads in the CSV import measured (default 1,000,000)")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER,
                        help="where the demo stores are built and reused (default data/bench)")
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument("--reference-leads", type=leads_count, default=demo.DEFAULT_LEADS,
                        help="the size whose warm pages the scale is measured against "
                             "(default: the demo's)")
    parser.add_argument("--import-only", action="store_true",
                        help="measure only the CSV import of --import-leads leads (time and "
                             "the import process's peak memory)")
    parser.add_argument("--drill-only", action="store_true",
                        help="measure only the drill-downs, on the store of --leads leads")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    args = parser.parse_args(argv)
    if args.repetitions < 1:
        parser.error("--repetitions must be 1 or more")
    try:
        if args.import_only:
            print(import_table(run_import(args.import_leads, args.json, args.repetitions)))
        elif args.drill_only:
            results = run_drills(args.leads, args.json, args.repetitions, args.folder)
            print(drill_table(results["drill"]))
        else:
            print(table(run(args.leads, args.json, args.repetitions, args.import_leads,
                            args.folder, args.reference_leads)))
    except (BenchError, store.StoreError, ValueError) as error:
        print(f"benchmarks.bench: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # Run as `python -m benchmarks.bench`, this file is __main__, whose functions a spawned
    # child cannot find by name: the measuring is done by the module imported as itself.
    from benchmarks import bench

    sys.exit(bench.main())
