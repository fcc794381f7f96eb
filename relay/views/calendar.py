"""The campaign calendar: what runs in a date range, the lead flow to expect from it, and
which campaigns collide."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import duckdb
import pandas as pd

from relay import holdings, sql
from relay.campaigns import known_channels, three_years_after
from relay.filters import CalendarFilters
from relay.fiscal import Quarter
from relay.holdings import Need
from relay.metrics import safe_ratio
from relay.views.common import NoteKind, View

PRESETS = {
    "next_30": "Next 30 days",
    "next_60": "Next 60 days",
    "next_90": "Next 90 days",
    "this_quarter": "This quarter",
    "next_quarter": "Next quarter",
    "custom": "Custom dates",
}
DEFAULT_PRESET = "next_30"
# The dates a custom range may use (the date fields take no others, from the address either).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(9990, 12, 31)


class RangeError(ValueError):
    """A date range the calendar cannot show."""


def date_range(preset: str, today: dt.date, start_month: int = 1,
               first: dt.date | None = None,
               last: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(first day, last day) of a preset, both included; "custom" takes `first` and `last`."""
    if preset.startswith("next_") and preset[5:].isdigit():
        return today, today + dt.timedelta(days=int(preset[5:]) - 1)
    if preset in ("this_quarter", "next_quarter"):
        quarter = Quarter.containing(today, start_month).shift(preset == "next_quarter")
        return quarter.start, quarter.last_day
    if preset != "custom":
        raise RangeError(f"Unknown range {preset!r}; use one of: {', '.join(PRESETS)}.")
    if first is None or last is None:
        raise RangeError("A custom range needs both a first and a last day.")
    if last < first:
        raise RangeError(f"The range ends ({last:%d %b %Y}) before it starts "
                         f"({first:%d %b %Y}).")
    if first < EARLIEST or last > LATEST:
        raise RangeError("Give dates between the years 1900 and 9990.")
    if last > three_years_after(first):
        raise RangeError("A range can span three years at most.")
    return first, last


def choices(cursor: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The channels campaigns use (and the standard ones) and the people who can own one:
    {"channels": [...], "owners": {person_id: name}}."""
    rows = sql.records(cursor, "campaign_choices")
    return {
        "channels": sorted(known_channels(cursor)),
        "owners": {r["value"]: r["label"] for r in rows if r["kind"] == "owner"},
    }


def view_link(app_url: str, chosen: CalendarFilters, owner_names: dict[str, str] | None = None
              ) -> str:
    """The address of the calendar page showing exactly `chosen` (its widgets keep their
    labels in the URL, owners by name)."""
    params = {"range": PRESETS["custom"], "from": chosen.starts_on.isoformat(),
              "to": chosen.ends_on.isoformat(), "region": chosen.region,
              "segment": chosen.segment, "channel": list(chosen.channels),
              "status": list(chosen.statuses),
              "owner": [(owner_names or {}).get(o, o) for o in chosen.owners]}
    query = urlencode({k: v for k, v in params.items() if v}, doseq=True)
    return f"{app_url.rstrip('/')}/calendar?{query}"


def build(cursor: duckdb.DuckDBPyConnection, chosen: CalendarFilters, today: dt.date,
          pairs_listed: int | None = None) -> View:
    """The calendar of `chosen`. Its table of overlapping pairs lists them all, or the first
    `pairs_listed` by date (a page shows a few thousand of hundreds of thousands); the
    figures count them all either way."""
    view = View("calendar", chosen, today, holdings=holdings.of(cursor))
    campaigns = sql.frame(
        cursor, "calendar_campaigns", starts_on=chosen.starts_on, ends_on=chosen.ends_on,
        region=chosen.region, segment=chosen.segment, channels=list(chosen.channels),
        statuses=list(chosen.statuses), owners=list(chosen.owners),
    )
    ids = campaigns["campaign_id"].tolist()
    until = today + dt.timedelta(days=1)
    actuals = sql.frame(cursor, "campaign_actuals", campaign_ids=ids,
                        created_before=until).set_index("campaign_id")
    linked = view.holdings.has(Need.CAMPAIGN_LEADS)
    for column in ("leads", "mqls", "sqls"):
        # Without leads linked to campaigns what they brought can't be counted, nor a stage
        # no lead records the date of: no 0s.
        dates = holdings.STAGE_DATES.get(column)
        counted = linked and (dates is None or view.holdings.has(dates))
        campaigns[f"{column}_so_far"] = (
            campaigns["campaign_id"].map(actuals[column]).fillna(0).astype(int)
            if counted else pd.Series(pd.NA, index=campaigns.index, dtype="Int64")
        )
    counts = sql.frame(cursor, "campaign_overlap_counts", campaign_ids=ids)
    campaigns["overlaps"] = campaigns["campaign_id"].map(
        counts.set_index("campaign_id")["overlaps"]).fillna(0).astype(int)
    overlaps = _overlapping_pairs(cursor, ids, counts, pairs_listed)
    flow = _lead_flow(cursor, ids, chosen, today)
    if not linked:
        flow["actual_leads"] = None

    running = campaigns[campaigns["status"] != "cancelled"]
    view.add("campaigns_in_view", len(campaigns))
    view.add("live_now", int(((running["start_date"] <= pd.Timestamp(today))
                              & (running["end_date"] >= pd.Timestamp(today))).sum()))
    view.add("starting_in_range", int((running["start_date"] > pd.Timestamp(today)).sum()))
    view.add("expected_leads_in_range", float(flow["expected_leads"].sum()))
    view.add("leads_arrived_in_range", float(flow["actual_leads"].sum()))
    view.add("overlapping_pairs", int(counts["overlaps"].sum()) // 2)  # each pair twice
    view.tables["campaigns"] = campaigns
    view.tables["lead_flow"] = flow
    view.tables["overlaps"] = overlaps
    # A store without campaigns says so once (the page's empty state), not "with these filters".
    if campaigns.empty and view.holdings.has(Need.CAMPAIGNS):
        view.note(f"No campaigns run in {chosen.describe()} with these filters.", NoteKind.NOTHING)
    return view


def _overlapping_pairs(cursor, campaign_ids: list[str], counts: pd.DataFrame,
                       listed: int | None) -> pd.DataFrame:
    """The overlapping pairs by date, all of them or the first `listed`. Those are among the
    pairs of campaigns that both start by the first day on which the campaigns started so
    far (by start, counts: campaign_overlap_counts) had, at their start, at least twice
    `listed` others running: a pair is counted there once by its later-starting campaign,
    or twice, so at least `listed` pairs overlap from that day or before, and every pair
    overlapping from a later day sorts after them."""
    started_by = None
    if listed is not None:
        reached = counts["running_at_start"].cumsum() >= 2 * listed
        if reached.any():
            started_by = counts.loc[reached.idxmax(), "start_date"].date()
    pairs = sql.frame(cursor, "campaign_overlaps", campaign_ids=campaign_ids,
                      started_by=started_by)
    return pairs if listed is None else pairs.head(listed)


def _lead_flow(cursor, campaign_ids: list[str], chosen: CalendarFilters,
               today: dt.date) -> pd.DataFrame:
    """Per week of the range: the leads the campaigns should bring and those that arrived
    so far (none yet for weeks that have not begun)."""
    first_week = chosen.starts_on - dt.timedelta(days=chosen.starts_on.weekday())
    flow = pd.DataFrame({"week": pd.date_range(first_week, chosen.ends_on, freq="7D").date})
    expected = sql.frame(cursor, "campaign_expected_leads_by_week", campaign_ids=campaign_ids,
                         starts_on=chosen.starts_on, ends_on=chosen.ends_on)
    arrived = sql.frame(
        cursor, "campaign_leads_by_week", campaign_ids=campaign_ids, starts_on=chosen.starts_on,
        ends_before=min(chosen.ends_on, today) + dt.timedelta(days=1),
    )
    flow["expected_leads"] = flow["week"].map(
        dict(zip(expected["week"].dt.date, expected["expected_leads"], strict=True))
    ).fillna(0.0).astype(float)
    flow["actual_leads"] = flow["week"].map(
        dict(zip(arrived["week"].dt.date, arrived["leads"], strict=True))
    ).fillna(0.0).astype(float)
    flow.loc[flow["week"] > today, "actual_leads"] = None
    return flow


def campaign_detail(campaigns: pd.DataFrame, campaign_id: str) -> dict[str, Any]:
    """One campaign's plan and, once it has started, what it has brought and cost: the
    whole campaign so far, all regions (Campaign performance shows a quarter's share)."""
    row = campaigns.set_index("campaign_id").loc[campaign_id]
    cost = None if pd.isna(row["actual_cost"]) else float(row["actual_cost"])
    leads = None if pd.isna(row["leads_so_far"]) else int(row["leads_so_far"])
    return {
        "plan": {
            "dates": f"{row['start_date']:%d %b %Y} – {row['end_date']:%d %b %Y}",
            "budget": None if pd.isna(row["budget"]) else float(row["budget"]),
            "expected_leads": (None if pd.isna(row["expected_leads"])
                               else int(row["expected_leads"])),
        },
        "started": row["status"] in ("live", "completed"),
        "actuals": {
            "leads": leads,
            "mqls": None if pd.isna(row["mqls_so_far"]) else int(row["mqls_so_far"]),
            "sqls": None if pd.isna(row["sqls_so_far"]) else int(row["sqls_so_far"]),
            # None: no cost recorded; 0: a campaign that cost nothing ($0 a lead).
            "cost": cost,
            "cost_per_lead": None if cost is None or leads is None else safe_ratio(cost, leads),
        },
    }
