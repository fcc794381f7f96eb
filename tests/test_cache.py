"""The dashboard's cache follows the writes: each cached result declares the tables it reads
(relay.ui.cache.READS, checked here against the tables its queries scan), a write recomputes
only what read what it wrote (a goal edit leaves the forecast's and the overview's heavy
parts warm; an import handed over by the command line refreshes them), and identical
requests for the same cold result, at the same time, compute it once."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pandas as pd
import pytest
from streamlit.runtime.caching import cache_utils
from streamlit.testing.v1 import AppTest

from conftest import AS_OF, PROJECT_ROOT, by
from relay import cli, goals, sql, store
from relay.filters import CalendarFilters, Filters
from relay.fiscal import Quarter
from relay.ui import cache, opened_store

HUBSPOT = PROJECT_ROOT / "data" / "samples" / "hubspot-deals.csv"
TIMEOUT = 60
# The fixture's quarters: closed, current (AS_OF), future; whole company and one region.
SCENARIOS = [(quarter, region) for quarter in (Quarter(2026, 2), Quarter(2026, 3),
                                                Quarter(2026, 4))
             for region in (None, "NA")]


# -- What each cached result reads ---------------------------------------------------------

def _scanned(plan: list[dict]) -> set[str]:
    """The tables an EXPLAIN (FORMAT JSON) plan scans, by name."""
    tables = set()
    nodes = list(plan)
    while nodes:
        node = nodes.pop()
        table = (node.get("extra_info") or {}).get("Table")
        if table:
            tables.add(table.split(".")[-1])
        nodes.extend(node.get("children", []))
    return tables


class Scans:
    """The tables scanned by the named queries run while `on`: each statement is explained
    first with the same parameters, so macros and summaries count as DuckDB plans them, and
    every table a statement names counts, empty or not."""

    def __init__(self):
        self.tables: set[str] = set()
        self.on = True


@pytest.fixture
def reads(monkeypatch) -> Scans:
    scans = Scans()

    def explaining(run):
        def explained(cursor, name, /, *, identifiers=None, **params):
            text = sql.with_identifiers(name, **identifiers) if identifiers else sql.load(name)
            if scans.on and not sql.written_tables(text):
                # Unoptimised: the optimiser drops the scan of a table it knows is empty.
                cursor.execute("pragma disable_optimizer")
                try:
                    plan = cursor.execute("explain (format json) " + text, params).fetchall()
                finally:
                    cursor.execute("pragma enable_optimizer")
                scans.tables.update(_scanned(json.loads(plan[0][1])))
            return run(cursor, name, identifiers=identifiers, **params)
        return explained

    for name in ("frame", "records", "row", "rows", "execute"):
        monkeypatch.setattr(sql, name, explaining(getattr(sql, name)))
    return scans


def _scope(name: str, quarter: Quarter, region: str | None):
    if name == "calendar":
        return CalendarFilters(quarter.start, quarter.last_day, region)
    return Filters(quarter, region)


# What a page passes beyond the filters, where the view reads more with it: My week of a rep.
OPTIONS = {"week": {"rep": "P2"}}


@pytest.mark.parametrize("name", sorted(cache.VIEWS))
def test_each_view_reads_the_tables_it_declares(fixture_cursor, reads, name):
    """As the cache builds it: a view with a part (the forecast, the overview) is given its
    part, read beforehand, and reads only what it adds to it (the goals). Over a closed,
    the current and a future quarter, whole and for one region, it reads every table it
    declares and no other."""
    for quarter, region in SCENARIOS:
        chosen = _scope(name, quarter, region)
        part = None
        if name in cache.PARTS:
            reads.on = False
            part = cache.PART_BUILDERS[cache.PARTS[name]](fixture_cursor, chosen, AS_OF)
            reads.on = True
        cache.build(name, fixture_cursor, chosen, AS_OF, read_part=lambda part=part: part,
                    **OPTIONS.get(name, {}))
    assert reads.tables == cache.READS[name]


@pytest.mark.parametrize("part", sorted(cache.PART_BUILDERS))
def test_each_part_reads_the_tables_it_declares(fixture_cursor, reads, part):
    for quarter, region in SCENARIOS:
        cache.PART_BUILDERS[part](fixture_cursor, Filters(quarter, region), AS_OF)
    assert reads.tables == cache.READS[part]


def test_the_shell_and_the_pickers_read_the_tables_they_declare(fixture_cursor, reads):
    from relay import forecasting
    from relay.views import sla, week

    lookups = {
        "shell_data": lambda: cache.shell_settings_and_options(fixture_cursor, AS_OF),
        "people": lambda: forecasting.people(fixture_cursor),
        "sla_reps": lambda: sla.reps(fixture_cursor, "NA"),
        "week_reps": lambda: week.reps(fixture_cursor, "NA"),
    }
    for name, lookup in lookups.items():
        reads.tables.clear()
        lookup()
        assert reads.tables == cache.READS[name], name


def test_every_cached_result_has_a_declaration():
    assert set(cache.READS) == {*cache.VIEWS, *cache.PART_BUILDERS, "shell_data", "people",
                                "sla_reps", "week_reps"}


# -- A write recomputes only what read it --------------------------------------------------

@pytest.fixture
def heavy_calls(monkeypatch):
    """How often each heavy part (the forecast's pipeline, the overview's actuals) and each
    whole view is computed."""
    calls: Counter[str] = Counter()

    def counted(name, builder):
        def count(*args, **kwargs):
            calls[name] += 1
            return builder(*args, **kwargs)
        return count

    for part, builder in list(cache.PART_BUILDERS.items()):
        monkeypatch.setitem(cache.PART_BUILDERS, part, counted(part, builder))
    for name, builder in list(cache.VIEWS.items()):
        monkeypatch.setitem(cache.VIEWS, name, counted(name, builder))
    return calls


def _page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, page
    return at


def _forecast(at: AppTest, tab: str = "This quarter") -> AppTest:
    """The forecast page with `tab` open (only the open tab is computed): as a click on it
    would, in the widget's state and the address it is bound to."""
    at.session_state["tab"] = at.query_params["tab"] = tab
    return _page(at, "forecast")


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_goal_edit_keeps_the_forecast_and_the_overview_warm(app_env, fixture_path,
                                                              heavy_calls):
    app_env(fixture_path, AS_OF)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.query_params.update({"quarter": "2026-Q3", "region": "EMEA", "segment": "Enterprise"})
    at.run()
    _forecast(at)
    assert _metric(at, "Revenue target") == "—"
    _forecast(at, "Track record")
    _page(at, "overview")
    _page(at, "funnel")
    assert heavy_calls == {"forecast_pipeline": 1, "forecast": 1, "track_record_calls": 1,
                           "forecast_track_record": 1, "overview_actuals": 1, "overview": 1,
                           "funnel": 1}

    _page(at, "goals")
    [s for s in at.selectbox if s.label == "Metric"][0].select("revenue")
    [s for s in at.selectbox if s.label == "Region"][0].select("EMEA")
    [s for s in at.selectbox if s.label == "Segment"][0].select("Enterprise")
    [t for t in at.text_input if t.label == "Target"][0].input("50000")
    [b for b in at.button if b.label == "Add to 2026-Q3"][0].click().run()
    assert "Added the revenue goal to 2026\\-Q3" in " ".join(s.value for s in at.success)
    heavy_calls.clear()

    _forecast(at)
    assert _metric(at, "Revenue target") == "$50.0K"
    _forecast(at, "Track record")
    _page(at, "overview")
    assert _metric(at, "Revenue target") == "$50.0K"
    _page(at, "funnel")
    # The light parts read the new goal; the pipeline, the track record's calls, the
    # actuals and the funnel stay warm.
    assert heavy_calls == {"forecast": 1, "forecast_track_record": 1, "overview": 1}


def _goal_in(path, quarter: str, metric: str) -> None:
    """A goal added to `quarter` through the connection the dashboard holds, as the pages do."""
    by("Pat Planner", goals.add_goal, opened_store.connection(str(path)), quarter, metric,
       None, None, 1_000_000, "shared")


def test_a_goal_change_leaves_the_views_of_earlier_quarters_warm(app_env, fixture_path,
                                                                heavy_calls):
    """A change to 2026-Q4's goals recomputes 2026-Q4's views, not 2026-Q3's; a change to
    2026-Q3's recomputes both (a quarter's overview trend and meeting review read the quarters
    before it)."""
    app_env(fixture_path, AS_OF)  # 2026-Q3 open
    path = str(fixture_path)
    quarters = [Filters(Quarter(2026, 3)), Filters(Quarter(2026, 4))]

    def visit() -> None:
        for name in sorted(cache.UP_TO_QUARTER):
            for chosen in quarters:
                cache.view(name, path, chosen, AS_OF)

    visit()
    heavy_calls.clear()
    _goal_in(fixture_path, "2026-Q4", "pipeline")
    visit()
    assert heavy_calls == dict.fromkeys(cache.UP_TO_QUARTER, 1)  # 2026-Q4's only
    heavy_calls.clear()
    _goal_in(fixture_path, "2026-Q3", "pipeline")
    visit()
    assert heavy_calls == dict.fromkeys(cache.UP_TO_QUARTER, 2)


def _shown(view) -> tuple:
    return (view.figures, view.problems, view.notes,
            {name: table.to_json() for name, table in view.tables.items()})


@pytest.mark.parametrize("name", sorted(cache.UP_TO_QUARTER))
def test_a_view_up_to_its_quarter_reads_no_later_quarters_goals(app_env, fixture_path, name):
    """What UP_TO_QUARTER says of each view: its figures for 2026-Q3 are the same after a
    change to 2026-Q4's goals and its sign-off, so a cached copy need not be recomputed."""
    app_env(fixture_path, AS_OF)
    connection = store.open_store(fixture_path)
    earlier, changed = Filters(Quarter(2026, 3)), Filters(Quarter(2026, 4))

    def shown() -> tuple:
        with sql.cursor(connection) as cursor:
            return tuple(_shown(cache.build(name, cursor, chosen, AS_OF))
                         for chosen in (earlier, changed))

    try:
        before = shown()
        for metric in ("revenue", "mqls"):
            by("Pat Planner", goals.add_goal, connection, "2026-Q4", metric, None, None,
               1_000_000, "shared")
        with sql.cursor(connection) as cursor:
            seen = goals.revision(cursor, "2026-Q4")
        by("Pat Planner", goals.sign_off, connection, "2026-Q4", "marketing", seen,
           signer="Max Marketer")
        after = shown()
        assert after[0] == before[0]
        assert after[1] != before[1]  # the change is one the view of 2026-Q4 shows
    finally:
        connection.close()


def test_an_import_the_command_line_hands_over_refreshes_the_forecast(
        app_env, fixture_path, heavy_calls, monkeypatch, capsys):
    app_env(fixture_path, AS_OF)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()
    _page(at, "forecast")
    before = _metric(at, "Open pipeline")
    _page(at, "data")
    assert "No imports yet." in [info.value for info in at.info]
    _page(at, "goals")
    heavy_calls.clear()

    def held(path, *args, **kwargs):  # the dashboard holds the store: the CLI hands over
        raise store.StoreLocked(f"The store {path} is in use by another process")

    monkeypatch.setattr(store, "open_store", held)
    args = ["import", str(HUBSPOT), "--table", "deals", "--db", str(fixture_path)]
    assert cli.main(args) == 0
    assert "36 new" in capsys.readouterr().out

    _page(at, "forecast")
    assert heavy_calls["forecast_pipeline"] == 1
    assert _metric(at, "Open pipeline") != before
    _page(at, "goals")
    assert heavy_calls["goals"] == 1  # it counts deals (what the store holds)
    # The small reads cached outside the views follow any write: the import history too.
    _page(at, "data")
    history = next(frame.value for frame in at.dataframe if "file_name" in frame.value)
    assert history["file_name"].tolist() == ["hubspot-deals.csv"]


def test_only_the_cache_module_caches_store_data():
    """Every cached read of the store goes through relay.ui.cache, whose keys follow the
    writes: an st.cache_data elsewhere would show figures from before a write."""
    cached_elsewhere = [
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("relay", "app_pages") for path in (PROJECT_ROOT / folder).rglob("*.py")
        if "st.cache_data(" in path.read_text(encoding="utf-8")
        and path != PROJECT_ROOT / "relay" / "ui" / "cache.py"]
    assert cached_elsewhere == []


# -- One computation for identical requests at the same time -------------------------------

def test_identical_concurrent_requests_compute_a_cold_view_once(fixture_path, monkeypatch):
    """Streamlit's st.cache_data takes a lock per key while it computes
    (cache_utils._hold_compute_lock): the other requests wait for the value instead of
    computing it again. The builder waits until every request has reached that lock."""
    requests = 6
    at_lock = []
    entered = threading.Condition()
    hold_compute_lock = cache_utils._hold_compute_lock

    def counted_lock(lock):
        with entered:
            at_lock.append(threading.get_ident())
            entered.notify_all()
        return hold_compute_lock(lock)

    monkeypatch.setattr(cache_utils, "_hold_compute_lock", counted_lock)
    built = []
    funnel = cache.VIEWS["funnel"]

    def slow_funnel(*args, **kwargs):
        built.append(threading.get_ident())
        with entered:  # every request has asked for the value
            assert entered.wait_for(lambda: len(at_lock) >= requests, timeout=TIMEOUT)
        return funnel(*args, **kwargs)

    monkeypatch.setitem(cache.VIEWS, "funnel", slow_funnel)
    results = [None] * requests

    def request(number: int) -> None:
        results[number] = cache.view("funnel", str(fixture_path), Filters(Quarter(2026, 3)),
                                     AS_OF)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert len(built) == 1
    assert all(result is not None and result.figures == results[0].figures
               for result in results)


# -- One key for what gives the same figures -----------------------------------------------

def test_the_rep_strengths_are_computed_once_whatever_the_quarter(fixture_path, monkeypatch):
    """The rep strengths read the closed quarters before today, not the sidebar's quarter:
    a crowd choosing five quarters computes them once (per region and segment)."""
    built = []
    strengths = cache.VIEWS["strengths"]

    def counted(cursor, chosen, today, **options):
        built.append(chosen)
        return strengths(cursor, chosen, today, **options)

    monkeypatch.setitem(cache.VIEWS, "strengths", counted)
    quarters = [Quarter(2026, 2), Quarter(2026, 3), Quarter(2026, 4), Quarter(2027, 1)]
    shown = [cache.view("strengths", str(fixture_path), Filters(quarter, "NA"), AS_OF)
             for quarter in quarters]
    assert len(built) == 1
    with opened_store.cursor(str(fixture_path)) as cursor:
        for quarter, view in zip(quarters, shown, strict=True):
            alone = strengths(cursor, Filters(quarter, "NA"), AS_OF)
            assert (view.figures, view.notes) == (alone.figures, alone.notes)
            assert view.tables.keys() == alone.tables.keys()
            for name, table in alone.tables.items():
                pd.testing.assert_frame_equal(view.tables[name], table)


def test_the_cached_results_are_bounded_in_bytes():
    # A crowd makes a new result for nearly every page run: without a bound the app's
    # memory grows with the filters chosen for the cache's TTL.
    bounds = {cached: cached._info.max_size_bytes
              for cached in (cache._view, cache._part, cache._small_read)}
    assert all(bound and bound <= 128 << 20 for bound in bounds.values()), bounds


def test_cold_views_compute_in_turns(fixture_path, monkeypatch):
    """A crowd's cold views wait their turn (cache._COMPUTING) instead of all computing at
    once; a view with a part (the forecast) takes its part before its turn, so that one turn
    is enough for both."""
    monkeypatch.setattr(cache, "_COMPUTING", threading.BoundedSemaphore(1))
    running, most = [0], [0]
    counting = threading.Lock()

    def counted(builder):
        def build(*args, **kwargs):
            with counting:
                running[0] += 1
                most[0] = max(most[0], running[0])
            try:
                return builder(*args, **kwargs)
            finally:
                with counting:
                    running[0] -= 1
        return build

    for name in ("funnel", "forecast", "sla"):
        monkeypatch.setitem(cache.VIEWS, name, counted(cache.VIEWS[name]))
    monkeypatch.setitem(cache.PART_BUILDERS, "forecast_pipeline",
                        counted(cache.PART_BUILDERS["forecast_pipeline"]))
    results = {}

    def request(name: str, region: str | None) -> None:
        results[(name, region)] = cache.view(name, str(fixture_path),
                                             Filters(Quarter(2026, 4), region), AS_OF)

    threads = [threading.Thread(target=request, args=(name, region))
               for name in ("funnel", "forecast", "sla") for region in (None, "NA")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert len(results) == 6 and most[0] == 1
