"""The page data the dashboard caches, shared by every session: per store, filters, day and
options, and per the writes this process has committed to the tables each result reads. A
write makes new keys for the results that read what it wrote, and leaves every other result
warm (a goal save recomputes the views that read goals, an import those that read its
table and the summaries it rebuilt); `restart` forgets them all. Nothing cached here may
depend on who is looking."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from relay import filters, forecasting, identity, settings, store
from relay.filters import Filters
from relay.fiscal import Quarter, QuarterError
from relay.ui import opened_store
from relay.views import (
    calendar,
    campaign_performance,
    forecast,
    funnel,
    goals,
    meeting,
    overview,
    plan,
    sla,
    strengths,
    week,
)
from relay.views.common import View

VIEWS = {"overview": overview.build, "goals": goals.build, "plan": plan.build,
         "calendar": calendar.build, "funnel": funnel.build, "sla": sla.build,
         "campaigns": campaign_performance.build, "forecast": forecast.current,
         "forecast_movement": forecast.movement, "forecast_track_record": forecast.track_record,
         "week": week.build, "strengths": strengths.build, "meeting": meeting.build}
# The heavy part of a view that also shows goals, cached apart so that a goal edit
# recomputes only the light part: {view: its part}; the view's builder takes the part as
# the argument PART_ARGUMENT[view].
PARTS = {"forecast": "forecast_pipeline", "overview": "overview_actuals",
         "forecast_track_record": "track_record_calls"}
PART_BUILDERS = {"forecast_pipeline": forecast.pipeline, "overview_actuals": overview.actuals,
                 "track_record_calls": forecast.calls_record}
PART_ARGUMENT = {"forecast": "call", "overview": "read", "forecast_track_record": "record"}
# What every view reads: the counts of what the store holds (relay.holdings.of), a summary
# refreshed with every write to the tables it counts.
_HOLDINGS = frozenset({"store_holdings"})
# The store tables (and summaries) each cached result reads: a view with a part (PARTS)
# reads its own tables only, the part its own. tests/test_cache.py runs each builder
# and compares the tables its queries scan with these.
READS: dict[str, frozenset[str]] = {
    "overview": frozenset({"goals"}),
    "overview_actuals": _HOLDINGS | {"deal_states", "deals", "forecast_submissions",
                                     "funnel_listed_twice", "funnel_months", "leads", "people",
                                     "pipeline_deltas", "settings", "sourced_deals",
                                     "unrecorded_deals"},
    "forecast": frozenset({"goals"}),
    "forecast_pipeline": _HOLDINGS | {"deal_states", "deals", "forecast_submissions", "people",
                                      "pipeline_deltas", "settings", "unrecorded_deals"},
    "forecast_movement": _HOLDINGS | {"deal_states", "deals", "people"},
    "forecast_track_record": frozenset({"goals"}),
    "track_record_calls": _HOLDINGS | {"deal_history", "deal_states", "deals",
                                       "forecast_submissions", "people", "pipeline_deltas",
                                       "settings"},
    "goals": _HOLDINGS | {"deals", "funnel_listed_twice", "funnel_months", "goals", "leads",
                          "plan_revisions", "plan_signoffs", "settings", "signed_goals"},
    "plan": _HOLDINGS | {"campaign_lead_months", "deals", "funnel_listed_twice",
                         "funnel_months", "goals", "leads", "settings"},
    # (The channel driver reads campaign_deals on a tie alone; a write of deals or leads,
    # which it reads anyway, is what changes that summary.)
    "meeting": _HOLDINGS | {"campaign_lead_months", "campaigns", "deals",
                            "funnel_listed_twice", "funnel_months", "goals", "leads",
                            "plan_revisions", "plan_signoffs", "settings", "signed_goals"},
    "calendar": _HOLDINGS | {"campaigns", "leads", "people"},
    "funnel": _HOLDINGS | {"deals", "funnel_listed_twice", "funnel_lookup_leads", "funnel_months",
                           "lead_quality", "leads"},
    "campaigns": _HOLDINGS | {"campaign_deals", "campaign_lead_months", "campaigns",
                              "deal_credits", "deals", "funnel_listed_twice", "leads",
                              "settings"},
    "sla": _HOLDINGS | {"campaigns", "lead_quality", "leads", "people", "settings"},
    "week": _HOLDINGS | {"campaigns", "deals", "forecast_submissions", "lead_owners", "leads",
                         "people", "settings"},
    "strengths": _HOLDINGS | {"campaigns", "leads", "people", "rep_strength_months",
                              "settings"},
    "shell_data": frozenset({"campaigns", "deal_breakdowns", "forecast_submissions", "goals",
                             "people", "settings", "store_holdings", "store_span"}),
    "sla_reps": frozenset({"mql_owners", "people"}),
    "people": frozenset({"deals", "forecast_submissions", "people"}),
    "week_reps": frozenset({"deals", "forecast_submissions", "lead_owners", "people"}),
}
# The views of one quarter whose goals and plan records are those of that quarter and the
# ones before it (the overview's trend, the meeting's review): a change confined to a later
# quarter's goals leaves them as they are. tests/test_cache.py checks each on the fixture.
UP_TO_QUARTER = frozenset({"overview", "forecast", "goals", "plan", "meeting"})
CACHE_SECONDS = 600
# The cached results' pickled bytes a process keeps, at most, per kind (the least recently
# used go first): a crowd choosing filters makes a new result for nearly every page run, and
# at 10M leads one view keeps up to a few MB (the SLA's open breaches company-wide 2.5 MB,
# the pipeline's changed deals 13 MB), so without a bound the app grows for the TTL's ten
# minutes past its memory target (1 GB with DuckDB's half a GiB, relay.store).
VIEWS_MAX_SIZE = "128mb"
PARTS_MAX_SIZE = "64mb"
SMALL_READS_MAX_SIZE = "32mb"


def _computing_at_once() -> int:
    try:
        return 2 * store.dashboard_threads()
    except store.StoreError:  # a bad RELAY_DUCKDB_THREADS: said when the store opens
        return 2


# How many cold views and parts compute at once; the others wait their turn. A crowd's
# first page runs, each with its own filters, computed all at once: 25 of them at 10M
# leads held the app at 1,035 MB (838 MB in turns); at the demo size the crowd did no
# worse in turns. Twice the cores: a computation waits on DuckDB part of the time.
_COMPUTING = threading.BoundedSemaphore(_computing_at_once())
# Views whose figures do not depend on the sidebar's quarter (the rep strengths: the closed
# quarters of the look-back before today), cached once for whichever quarter is chosen.
ANY_QUARTER = frozenset({"strengths"})

# How many committed writes this process has heard of per (store file, table); of them, how
# many were confined to some quarters' goals and plan records, and per quarter written.
_writes: Counter[tuple[str, str]] = Counter()
_confined: Counter[tuple[str, str]] = Counter()
_confined_to: Counter[tuple[str, str, str]] = Counter()
_writes_lock = threading.Lock()


@functools.lru_cache(maxsize=64)
def _file(path: str | Path) -> str:
    # Every cached look-up asks: realpath's lstat of each part of the path, once.
    return os.path.realpath(path)


def _heard(path: Path, tables: frozenset[str], quarters: frozenset[str] | None) -> None:
    with _writes_lock:
        for table in tables:
            _writes[(_file(path), table)] += 1
            if quarters is not None:
                _confined[(_file(path), table)] += 1
                for quarter in quarters:
                    _confined_to[(_file(path), table, quarter)] += 1


store.on_commit(_heard)


def writes_to(store_path: str, name: str, quarter: Quarter | None = None) -> tuple[int, ...]:
    """The count of writes heard to each table the cached result `name` reads: part of its
    key, so that a write to one of them makes the next request compute it again. Given the
    `quarter` of a view that reads only its quarter's and earlier quarters' goals
    (UP_TO_QUARTER), a write confined to later quarters does not count."""
    file = _file(store_path)
    tables = sorted(READS[name])
    with _writes_lock:
        if quarter is None:
            return tuple(_writes[(file, table)] for table in tables)
        return tuple(
            count for table in tables for count in (
                _writes[(file, table)] - _confined[(file, table)],
                sum(n for (written, t, q), n in _confined_to.items()
                    if written == file and t == table and _not_after(q, quarter))))


def _not_after(written: str, quarter: Quarter) -> bool:
    try:
        return Quarter.parse(written, quarter.start_month).start <= quarter.start
    except QuarterError:
        return True  # not a quarter this store's year knows: counted, to be safe


def writes_to_store(store_path: str) -> int:
    """The count of writes heard to any table of the store."""
    file = _file(store_path)
    with _writes_lock:
        return sum(count for (written, _), count in _writes.items() if written == file)


# The small reads cached by read_again_after_writes, by name.
_SMALL_READS: dict[str, Callable] = {}


def read_again_after_writes(show_spinner: bool | str = False):
    """For a small read of the store (a picker's choices, a history, a drill-down's records),
    `function(store_path, *args)`: cached per arguments like the views, and read again after
    any write to the store, without declaring what it reads."""

    def decorate(function: Callable) -> Callable:
        name = f"{function.__module__}.{function.__qualname__}"
        _SMALL_READS[name] = function

        @functools.wraps(function)
        def read(store_path: str, *args):
            if not show_spinner:
                return _small_read(name, store_path, writes_to_store(store_path), *args)
            with st.spinner(show_spinner):
                return _small_read(name, store_path, writes_to_store(store_path), *args)
        return read
    return decorate


@st.cache_data(ttl=CACHE_SECONDS, max_size=SMALL_READS_MAX_SIZE, show_spinner=False)
def _small_read(name: str, store_path: str, writes: int, *args):
    # `writes` is only part of the key (writes_to_store).
    return _SMALL_READS[name](store_path, *args)


def view(name: str, store_path: str, chosen: Filters, today: dt.date, **options) -> View:
    """A page's data, cached per store, filters, day and options, and recomputed after a
    write to a table it reads."""
    if name in ANY_QUARTER:
        chosen = dataclasses.replace(chosen, quarter=Quarter.containing(
            today, chosen.quarter.start_month))
    writes = writes_to(store_path, name,
                       chosen.quarter if name in UP_TO_QUARTER else None)
    if name in PARTS:
        part = PARTS[name]
        writes += writes_to(store_path, part)

        def read_part():
            return _part(part, store_path, chosen, today, writes_to(store_path, part),
                         **options)
        return _view(name, store_path, chosen, today, writes, _read_part=read_part, **options)
    return _view(name, store_path, chosen, today, writes, **options)


def build(name: str, page_cursor, chosen, today: dt.date, read_part: Callable | None = None,
          **options) -> View:
    """Build the view `name` as the cache does: a view with a part takes it from
    `read_part` (the cached part), or reads it itself."""
    if name in PARTS and read_part is not None:
        options[PART_ARGUMENT[name]] = read_part()
    return VIEWS[name](page_cursor, chosen, today, **options)


@st.cache_data(ttl=CACHE_SECONDS, max_size=VIEWS_MAX_SIZE,
               show_spinner="Computing the figures…")
def _view(name: str, store_path: str, chosen: Filters, today: dt.date,
          writes: tuple[int, ...], _read_part: Callable | None = None, **options) -> View:
    # `writes` is only part of the key (writes_to); the part's writes are in it too, so
    # `_read_part` need not be.
    if _read_part is not None:  # before this view's turn: the part waits for its own
        options[PART_ARGUMENT[name]] = _read_part()
    with _COMPUTING, opened_store.cursor(store_path) as page_cursor:
        return build(name, page_cursor, chosen, today, **options)


@st.cache_data(ttl=CACHE_SECONDS, max_size=PARTS_MAX_SIZE,
               show_spinner="Computing the figures…")
def _part(part: str, store_path: str, chosen: Filters, today: dt.date,
          writes: tuple[int, ...], **options):
    with _COMPUTING, opened_store.cursor(store_path) as part_cursor:
        return PART_BUILDERS[part](part_cursor, chosen, today, **options)


def shell_settings_and_options(shell_cursor, today: dt.date):
    """The settings and the global filters' options (shell_data, uncached)."""
    config = settings.load(shell_cursor)
    return config, filters.options(shell_cursor, today, config.fiscal_year_start_month)


def shell_data(store_path: str, today: dt.date):
    """The settings and the global filters' options, for the shell of every page."""
    return _shell_data(store_path, today, writes_to(store_path, "shell_data"))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _shell_data(store_path: str, today: dt.date, writes: tuple[int, ...]):
    with opened_store.cursor(store_path) as shell_cursor:
        return shell_settings_and_options(shell_cursor, today)


def sla_reps(store_path: str, region: str | None = None,
             segment: str | None = None) -> dict[str, str]:
    """{person_id: name} of everyone who owns MQLs of the region and segment (sla.reps)."""
    return _sla_reps(store_path, region, segment, writes_to(store_path, "sla_reps"))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _sla_reps(store_path: str, region: str | None, segment: str | None,
              writes: tuple[int, ...]) -> dict[str, str]:
    with opened_store.cursor(store_path) as reps_cursor:
        return sla.reps(reps_cursor, region, segment)


def people(store_path: str):
    """Everyone in the store, with whether they have a quarter to call (forecast_people)."""
    return _people(store_path, writes_to(store_path, "people"))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _people(store_path: str, writes: tuple[int, ...]):
    with opened_store.cursor(store_path) as people_cursor:
        return forecasting.people(people_cursor)


def me(store_path: str) -> list[str]:
    """The person_id(s) of the person acting: outside the cache above, which all share."""
    actor = identity.current()
    return [row.person_id for row in people(store_path).itertuples()
            if actor.is_person(row.name, row.email)]


def week_reps(store_path: str, region: str | None, segment: str | None):
    """The sales people a week can be shown for in the region and segment (week.reps)."""
    return _week_reps(store_path, region, segment, writes_to(store_path, "week_reps"))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _week_reps(store_path: str, region: str | None, segment: str | None,
               writes: tuple[int, ...]):
    with opened_store.cursor(store_path) as reps_cursor:
        return week.reps(reps_cursor, region, segment)
