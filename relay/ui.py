"""The Streamlit side of the app: the store connection, cached page data, the shell (demo
banner, global filters) and small drawing helpers the pages share."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import streamlit as st

from relay import (
    clock, filters, forecasting, format as fmt, handoff, identity, report, serving, settings, sql,
    store,
)
from relay.identity import Role
from relay.views import (
    calendar, campaign_performance, forecast, funnel, goals, overview, plan, sla,
)
from relay.views.common import Filters, Note, NoteKind, View

VIEWS = {"overview": overview.build, "goals": goals.build, "plan": plan.build,
         "calendar": calendar.build, "funnel": funnel.build, "sla": sla.build,
         "campaigns": campaign_performance.build, "forecast": forecast.current,
         "forecast_movement": forecast.movement, "forecast_track_record": forecast.track_record}
CACHE_SECONDS = 600
MAX_ROWS = 2_000  # rows a table on a page shows; exports and the CLI have them all
MAX_TIMELINE = 60  # bars a timeline shows and stays readable on a projector
ALL_REGIONS = "All regions"
ALL_SEGMENTS = "All segments"


# Characters that Streamlit's markdown (GitHub flavour plus :colour[] directives, emoji
# short codes and $LaTeX$) would interpret.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~:])")


def plain(text: object) -> str:
    """Text from the data or the user, escaped so that markdown shows it as typed: a name
    like "[click](http://…)" stays text, never a link, an image or a formula."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


@dataclass(frozen=True)
class Context:
    """What every page needs: which store, which filters, as of when, and the settings."""

    store_path: str
    filters: Filters
    today: dt.date
    settings: settings.Settings
    row_counts: dict[str, int]


# Store files this process has read in full (store.file_identity): a restored store is a
# new file.
_checked: set[tuple[str, int | None]] = set()
# Held while the store is opened and while a restore swaps the file: a page run of another
# session meanwhile waits, then opens the restored store (never the one being replaced).
STORE_LOCK = threading.RLock()


@st.cache_resource(show_spinner=False)
def connection(path: str):
    """The process's one read-write connection to the store; pages use cursors of it. Its
    inbox worker takes the imports and exports the command line hands over while the
    dashboard holds the store. The first opening of a store file in this process reads all
    of it (a corrupt one is refused with StoreDamaged, which every page shows); reopening the
    same file after `restart` does not read it again."""
    with STORE_LOCK:
        file = store.file_identity(path)
        opened = store.open_store(Path(path), check=file not in _checked)
        _checked.add(file)
        # Stopping the dashboard checkpoints and closes it (serve.py's lifespan, else at exit).
        store.hold(Path(path), opened)
        serving.stop_at_exit()
        handoff.start_worker(Path(path), opened, on_change=data_changed)
        return opened


def restart(path: str) -> None:
    """Close the store (if this process holds it) and forget every cached result, as a
    restarted dashboard would; the next page run opens it again."""
    with STORE_LOCK:
        handoff.stop_worker(Path(path))
        held = store.release(Path(path))
        if held is not None:
            store.checkpoint_and_close(held)
        st.cache_resource.clear()
        st.cache_data.clear()


def store_failure(error: BaseException) -> store.StoreError | None:
    """What to tell the user when `error` means the store itself failed (corrupt, a full disk,
    an I/O error, or it cannot be opened); the store is marked damaged so that nothing more is
    written to it. None for any other error."""
    if isinstance(error, store.StoreError):
        return error
    if isinstance(error, duckdb.Error):
        return store.mark_damaged(store.default_path(), error)
    return None


def show_store_failure(error: BaseException) -> bool:
    """Show the message of a failed store in place of the page (where the store lives only
    to an admin); whether it was one."""
    failure = store_failure(error)
    if failure is None:
        return False
    st.error(plain(store_message(failure, str(store.default_path()))), icon=":material/error:")
    return True


def cursor(path: str):
    return connection(path).cursor()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner="Computing the figures…")
def view(name: str, store_path: str, chosen: Filters, today: dt.date, **options) -> View:
    """A page's data, cached per store, filters, day and options; cleared when the store
    changes."""
    page_cursor = cursor(store_path)
    try:
        return VIEWS[name](page_cursor, chosen, today, **options)
    finally:
        page_cursor.close()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _shell_data(store_path: str, today: dt.date):
    shell_cursor = cursor(store_path)
    try:
        config = settings.load(shell_cursor)
        available = filters.options(shell_cursor, today, config.fiscal_year_start_month)
    finally:
        shell_cursor.close()
    return config, available


# Session state that holds what a user saw of the goals: stale after any goal write.
GOAL_STATE_PREFIXES = ("goals_editor_", "goals_seen_", "goals_conflict", "planner_seen_")
# The browser may rerun a page once more right after a save (its editors were reset), so a
# confirmation stays for a few seconds rather than for exactly one run.
FLASH_SECONDS = 8


def data_changed() -> None:
    """Call after any write to the store so that no page shows figures from before it."""
    st.cache_data.clear()


def saved(message: str, reset_prefixes: tuple[str, ...] = ()) -> None:
    """After a write: drop cached figures and the named widget state, confirm, rerun."""
    if reset_prefixes:
        for key in [k for k in st.session_state if str(k).startswith(reset_prefixes)]:
            del st.session_state[key]
    data_changed()
    st.session_state["shell_flash"] = (message, time.monotonic())
    st.rerun()


def show_flash() -> None:
    message, shown_at = st.session_state.get("shell_flash", (None, 0.0))
    if message and time.monotonic() - shown_at < FLASH_SECONDS:
        st.success(plain(message), icon=":material/check_circle:")
    else:
        st.session_state.pop("shell_flash", None)


def start_shell() -> Context:
    """Open the store, draw the demo banner and the sidebar filters; stop the page with a
    clear message when the store cannot be used."""
    path = str(store.default_path())
    damaged = store.damaged(path)
    if damaged:  # found corrupt (or unwritable) by an earlier read or write of this process
        _stop_with(store_message(damaged, path), path)
    try:
        today = clock.today()
        config, available = _shell_data(path, today)
    except ValueError as error:
        _stop_with(str(error), path, offer_restore=False)
    except (store.StoreError, duckdb.Error) as error:
        failure = store_failure(error)
        if failure is None:
            raise
        _stop_with(store_message(failure, path), path,
                   offer_restore=isinstance(failure, store.StoreDamaged))
    if config.is_demo:
        # Short: on a phone it sits above every page's first figure.
        st.info(
            "**Demo data**: Northwind Analytics is made up. "
            + ("Bring your own on the Data page." if may(Role.ADMIN) else
               "An admin brings your own on the Data page."),
            icon=":material/science:",
        )
    chosen = _sidebar(available, config)
    context = Context(path, chosen, today, config, available.row_counts)
    st.session_state["shell_context"] = context
    return context


def _stop_with(message: str, path: str, offer_restore: bool = True) -> None:
    """Stop the page with the store's problem; an admin may restore a backup right here (the
    Data page cannot open on a store that fails)."""
    st.error(plain(message), icon=":material/error:")
    if offer_restore and may(Role.ADMIN):
        from relay import data_ui  # it draws on this module

        st.subheader("Restore a backup")
        data_ui.restore_form(path)
    st.stop()


def store_message(failure: store.StoreError, path: str) -> str:
    """A store problem as the person acting may read it: where the store lives, and how to
    mend it, is for an admin's eyes; others read "the store" and that an admin mends it."""
    if may(Role.ADMIN):
        return str(failure)
    return failure.public or store.without_path(str(failure), Path(path))


def show_error(error: BaseException) -> None:
    """An error nothing else handled: logged in full with a reference, the reference on the
    page (never a traceback, which may show paths and data)."""
    reference = serving.error_reference(error)
    st.error(f"Something went wrong on this page, and it was stopped. Reload to try again; if "
             f"it happens again, give your administrator the reference **{reference}** (it "
             "points to the details in the server log).", icon=":material/error:")


def _sidebar(available: filters.FilterOptions, config: settings.Settings) -> Filters:
    raw = {key: st.query_params.get(key) for key in ("quarter", "region", "segment")}
    _, problems = filters.resolve(raw["quarter"], raw["region"], raw["segment"], available,
                                  config.fiscal_year_start_month)
    for problem in problems:
        st.warning(plain(f"{problem} Showing the default instead."), icon=":material/link_off:")
    quarter_labels = [str(q) for q in available.quarters]
    current = str(available.current)
    with st.sidebar:
        st.header("Filters")
        quarter = st.selectbox(
            "Fiscal quarter", quarter_labels, index=quarter_labels.index(current),
            key="quarter", bind="query-params",
            format_func=lambda q: f"{q} (current)" if q == current else q,
        )
        region = st.selectbox("Region", [ALL_REGIONS, *available.regions], key="region",
                              bind="query-params")
        segment = st.selectbox("Segment", [ALL_SEGMENTS, *available.segments], key="segment",
                               bind="query-params")
        st.caption(
            f"Fiscal years start in month {config.fiscal_year_start_month}. "
            "The filters are in the page address: copy it to share this view."
        )
    return Filters(
        filters.Quarter.parse(quarter, config.fiscal_year_start_month),
        None if region == ALL_REGIONS else region,
        None if segment == ALL_SEGMENTS else segment,
    )


def context() -> Context:
    return st.session_state["shell_context"]


def may(role: Role) -> bool:
    """Whether the person acting may do what needs `role`: pages offer only that. The write
    functions check again."""
    return identity.current().may(role)


def needs_role(role: Role, to_do: str) -> None:
    """Say, in place of a form, who may use it."""
    st.caption(plain(f"A {role} {to_do} here; you have the {identity.current().role} role."))


def need_data(context: Context, tables: tuple[str, ...], shows: str,
              planner_starts_here: bool = False) -> None:
    """When every table the page draws on is empty, say what to import and stop the page.
    On a page whose forms add the first rows (`planner_starts_here`), a planner goes on to
    them after the same guidance."""
    if any(context.row_counts.get(table) for table in tables):
        return
    named = " or ".join(tables)
    if not may(Role.ADMIN):
        st.info(f"Nothing to show yet: this page shows {shows}. An admin imports {named} on "
                "the Data page.", icon=":material/inbox:")
    else:
        st.info(f"Nothing to show yet: this page shows {shows}. Import {named} on the Data "
                "page (CSV or Excel, e.g. a HubSpot or Salesforce export), or build the demo "
                "company with `python -m relay demo`.", icon=":material/inbox:")
        st.page_link("app_pages/data.py", label="Go to the Data page",
                     icon=":material/database:")
    if not (planner_starts_here and may(Role.PLANNER)):
        st.stop()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def sla_reps(store_path: str) -> dict[str, str]:
    """{person_id: name} of everyone who owns MQLs; a name two people share gets the id."""
    reps_cursor = cursor(store_path)
    try:
        reps = dict(sql.frame(reps_cursor, "sla_reps").itertuples(index=False))
    finally:
        reps_cursor.close()
    shared = {name for name in reps.values() if list(reps.values()).count(name) > 1}
    return {person: f"{name} ({person})" if name in shared else name
            for person, name in reps.items()}


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def people(store_path: str):
    """Everyone in the store, with whether they have a quarter to call (forecast_people)."""
    people_cursor = cursor(store_path)
    try:
        return forecasting.people(people_cursor)
    finally:
        people_cursor.close()


def me(store_path: str) -> list[str]:
    """The person_id(s) of the person acting: outside the cache above, which all share."""
    actor = identity.current()
    return [row.person_id for row in people(store_path).itertuples()
            if actor.is_person(row.name, row.email)]


def warn_unknown_link_value(key: str, known: list[str], label: str) -> None:
    """A value in the page address that is not among the widget's options: say so (the
    bound widget would drop it silently)."""
    unknown = [value for value in st.query_params.get_all(key) if value not in known]
    if unknown:
        st.warning(plain(f"{label}: {', '.join(map(repr, unknown))} not known; left out of "
                         "the view."), icon=":material/link_off:")


# What a bound st.date_input takes from the address (streamlit's DateInputSerde): any other
# text, or a date outside the widget's min_value..max_value, is dropped without a word.
LINK_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")


def bad_link_dates(key: str, earliest: dt.date | None = None,
                   latest: dt.date | None = None) -> list[str]:
    """The values of `key` in the page address that a bound date field would drop: not a
    date as it reads them (2026-02-31, garbage, 20260201) or outside `earliest`..`latest`.
    Read them before the field is drawn: drawing it removes them from the address."""
    bad = []
    for value in st.query_params.get_all(key):
        day = None
        for pattern in LINK_DATE_FORMATS:
            try:
                day = dt.datetime.strptime(value, pattern).date()
                break
            except ValueError:
                continue
        if day is None or (earliest and day < earliest) or (latest and day > latest):
            bad.append(value)
    return bad


def bad_link_date_message(label: str, values: list[str], instead: str = "left out of the "
                          "view") -> str:
    return plain(f"{label}: {', '.join(map(repr, values))} in the address is not a date "
                 f"(YYYY-MM-DD) the field takes; {instead}.")


def warn_bad_link_date(key: str, label: str, earliest: dt.date | None = None,
                       latest: dt.date | None = None) -> None:
    """A date in the page address that is not one: say so (the bound date field would drop
    it silently). Call it before the field is drawn."""
    bad = bad_link_dates(key, earliest, latest)
    if bad:
        st.warning(bad_link_date_message(label, bad), icon=":material/link_off:")


def filter_options(context: Context) -> filters.FilterOptions:
    return _shell_data(context.store_path, context.today)[1]


def csv_bytes(table) -> bytes:
    return report.table_csv(table).encode("utf-8")


def money_column(label: str, currency: str):
    """A table column of amounts in the store's currency."""
    named = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}
    number_format = named.get(currency) or f"{fmt.SYMBOLS.get(currency, currency + ' ')}%.0f"
    return st.column_config.NumberColumn(label, format=number_format)


def metric_row(view: View, figures: list[tuple[str, str | None]], currency: str) -> None:
    """A row of figures, each (key, note under it), with its definition as the hover help."""
    for column, (key, note) in zip(st.columns(len(figures)), figures, strict=True):
        figure = view.figures[key]
        column.metric(figure.label, fmt.by_unit(figure.value, figure.unit, currency),
                      delta=note, delta_color="off", delta_arrow="off",
                      help=figure.definition, border=True)


def notes(view_notes: list[Note]) -> None:
    """A view's notes, each drawn by its kind, the same way on every page."""
    for note in view_notes:
        text = plain(note.text)
        if note.kind is NoteKind.NOTHING:
            st.info(text, icon=":material/info:")
        elif note.kind is NoteKind.CAVEAT:
            st.warning(text, icon=":material/rule:")
        else:
            st.caption(text)


def chart(figure, where=st) -> None:
    """A chart as every page draws it, without Plotly's mode bar; `where` is a column or
    other container (the page itself by default)."""
    where.plotly_chart(figure, config={"displayModeBar": False})
