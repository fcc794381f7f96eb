"""The shell every page starts with: the store opened, the demo banner, the global filters
in the sidebar, and a page stopped with a clear message when there is nothing to show or the
store cannot be used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import streamlit as st

from relay import clock, filters, replica, serving, settings, store
from relay.filters import Filters
from relay.identity import Role
from relay.ui import cache, opened_store, pages
from relay.ui.roles import may
from relay.ui.widgets import plain

ALL_REGIONS = "All regions"
ALL_SEGMENTS = "All segments"


@dataclass(frozen=True)
class Context:
    """What every page needs: which store, which filters, as of when, and the settings."""

    store_path: str
    filters: Filters
    today: dt.date
    settings: settings.Settings
    row_counts: dict[str, int]


def start_shell() -> Context:
    """Open the store, draw the demo banner and the sidebar filters; stop the page with a
    clear message when the store cannot be used."""
    path = str(store.default_path())
    damaged = store.damaged(path)
    if damaged:  # found corrupt (or unwritable) by an earlier read or write of this process
        _stop_with(opened_store.store_message(damaged, path), path)
    try:
        today = clock.today()
        config, available = cache.shell_data(path, today)
    except ValueError as error:
        _stop_with(str(error), path, offer_restore=False)
    except (store.StoreError, duckdb.Error) as error:
        failure = opened_store.store_failure(error)
        if failure is None:
            raise
        _stop_with(opened_store.store_message(failure, path), path,
                   offer_restore=isinstance(failure, store.StoreDamaged))
    stale = replica.freshness(path)  # a shared store's copy that has not caught up lately
    if stale:
        st.caption(plain(stale))
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
        from relay.ui import data  # it draws on this module

        st.subheader("Restore a backup")
        data.restore_form(path)
    st.stop()


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


def filter_options(context: Context) -> filters.FilterOptions:
    return cache.shell_data(context.store_path, context.today)[1]


def base_url(context: Context) -> str:
    """Where links into the app point: the app_url setting, else the address this app is
    served at (the page's address without the page and its query)."""
    served = st.context.url
    if served:
        served = served.split("?", 1)[0].split("#", 1)[0].rstrip("/")
        head, _, last = served.rpartition("/")
        if head.count("/") >= 2 and last in {page.name for page in pages.PAGES}:
            served = head
    return settings.base_url(context.settings, served)[0]
