"""The page data the dashboard caches, shared by every session: per store, filters, day and
options, and cleared after any write. Nothing cached here may depend on who is looking."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from relay import filters, forecasting, identity, settings
from relay.filters import Filters
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
CACHE_SECONDS = 600


@st.cache_data(ttl=CACHE_SECONDS, show_spinner="Computing the figures…")
def view(name: str, store_path: str, chosen: Filters, today: dt.date, **options) -> View:
    """A page's data, cached per store, filters, day and options; cleared when the store
    changes."""
    with opened_store.cursor(store_path) as page_cursor:
        return VIEWS[name](page_cursor, chosen, today, **options)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def shell_data(store_path: str, today: dt.date):
    """The settings and the global filters' options, for the shell of every page."""
    with opened_store.cursor(store_path) as shell_cursor:
        config = settings.load(shell_cursor)
        available = filters.options(shell_cursor, today, config.fiscal_year_start_month)
    return config, available


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def sla_reps(store_path: str, region: str | None = None,
             segment: str | None = None) -> dict[str, str]:
    """{person_id: name} of everyone who owns MQLs of the region and segment (sla.reps)."""
    with opened_store.cursor(store_path) as reps_cursor:
        return sla.reps(reps_cursor, region, segment)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def people(store_path: str):
    """Everyone in the store, with whether they have a quarter to call (forecast_people)."""
    with opened_store.cursor(store_path) as people_cursor:
        return forecasting.people(people_cursor)


def me(store_path: str) -> list[str]:
    """The person_id(s) of the person acting: outside the cache above, which all share."""
    actor = identity.current()
    return [row.person_id for row in people(store_path).itertuples()
            if actor.is_person(row.name, row.email)]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def week_reps(store_path: str, region: str | None, segment: str | None):
    """The sales people a week can be shown for in the region and segment (week.reps)."""
    with opened_store.cursor(store_path) as reps_cursor:
        return week.reps(reps_cursor, region, segment)
