"""The records behind a figure: the deals, leads or campaigns a count or sum is made of.

One definition per drillable figure, here: which query lists its records (queries/drill_*.sql,
each written with the same filters as the query its figure comes from) and with which
bounds, worked out from the same quarter, breakdown and as-of day as the figure. The rows
add up to the figure: their count, or the sum of their `total` column
(tests/test_drill.py checks every figure below on the demo store).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from relay import forecasting as fc
from relay import settings, sql
from relay.actuals import FUNNEL_STEPS, ages_until, so_far_before
from relay.filters import CalendarFilters
from relay.fiscal import Quarter
from relay.forecasting import Point

# The most rows a drill-down lists; the count and total are always over all of them.
ROW_LIMIT = 10_000
# Where no cap is wanted (the command line, the add-up test).
NO_LIMIT = 2**62
BOOKKEEPING = ("record_count", "record_total")


class DrillError(Exception):
    """A drill-down asked of a figure that has none, or without the item it needs."""


@dataclass(frozen=True)
class Scope:
    """What the figure was computed for: the quarter, breakdown and as-of day, for a row of a
    table (a campaign, a goal, a quarter of a trend) which one, and for the speed-to-lead
    page narrowed to one rep (relay.ui.sla.breach_scope) whose leads: a person_id, "" for a
    rep who owns none."""

    quarter: Quarter
    region: str | None
    segment: str | None
    as_of: dt.date
    item: str | None = None
    rep: str | None = None

    @property
    def so_far_before(self) -> dt.date:
        return so_far_before(self.quarter, self.as_of)


@dataclass(frozen=True)
class RangeScope:
    """What a calendar figure was computed for: a date range (both days included) with the
    calendar's filters, and the as-of day (today)."""

    chosen: CalendarFilters
    as_of: dt.date
    item: str | None = None

    @property
    def bounds(self) -> dict:
        chosen = self.chosen
        return {"starts_on": chosen.starts_on, "ends_on": chosen.ends_on,
                "region": chosen.region, "segment": chosen.segment,
                "channels": list(chosen.channels), "statuses": list(chosen.statuses),
                "owners": list(chosen.owners)}


@dataclass(frozen=True)
class Drill:
    key: str
    noun: str  # what a record is: "deals", "leads", "campaigns"
    # The views whose figure (or rows) it opens; none: reached through a goal's actual.
    views: tuple[str, ...]
    # (query, its parameters, and the identifiers it names, if any)
    parameters: Callable[[duckdb.DuckDBPyConnection, Scope], tuple]
    total: str | None = None  # the column whose sum is the figure; None: the figure counts
    item: str | None = None  # what Scope.item names, for a row of a table

    def describe(self) -> str:
        what = f"the sum of their {self.total}" if self.total else "their count"
        return f"{self.noun}; the figure is {what}"


@dataclass
class Records:
    drill: Drill
    rows: pd.DataFrame  # at most the limit asked for
    count: int  # all of them
    total: float | None  # the sum of the drill's total column over all of them

    @property
    def figure(self) -> float:
        """What the records add up to: the figure they are behind."""
        return float(self.count if self.drill.total is None else self.total or 0.0)

    @property
    def capped(self) -> bool:
        return len(self.rows) < self.count


def records(cursor: duckdb.DuckDBPyConnection, key: str, scope: Scope | RangeScope,
            limit: int = ROW_LIMIT) -> Records:
    """The records behind a figure, the largest (or earliest) first, at most `limit` rows."""
    drill = DRILLS.get(key)
    if drill is None:
        raise DrillError(f"{key!r} has no drill-down (figures that have: {', '.join(DRILLS)})")
    if drill.item and not scope.item:
        raise DrillError(f"{key} opens one {drill.item}'s records: name it")
    query, parameters, *identifiers = drill.parameters(cursor, scope)
    if "$row_limit" in sql.load(query):
        parameters["row_limit"] = limit
    frame = sql.frame(cursor, query, identifiers=identifiers[0] if identifiers else None,
                      **parameters)
    if "record_count" in frame.columns:
        count = int(frame["record_count"].iloc[0]) if len(frame) else 0
    else:  # a list that is its figure's records already (open breaches), never capped
        frame, count = frame.head(limit), len(frame)
    total = None
    if drill.total is not None:
        total = (float(frame["record_total"].iloc[0]) if "record_total" in frame.columns
                 and len(frame) and pd.notna(frame["record_total"].iloc[0])
                 else float(frame[drill.total].sum()))
    return Records(drill, frame.drop(columns=list(BOOKKEEPING), errors="ignore"), count, total)


def for_view(view: str) -> list[str]:
    """The drillable figures of a view (the goals view's rows open GOAL_ACTUAL)."""
    keys = [key for key, drill in DRILLS.items() if view in drill.views]
    return [*keys, GOAL_ACTUAL] if view == "goals" else keys


def resolve(cursor: duckdb.DuckDBPyConnection, view: str, key: str, scope: Scope | RangeScope,
            start_month: int) -> tuple[str, Scope | RangeScope]:
    """The drill-down a view's figure opens, and for what: a goal's actual opens its metric's
    records for the goal's own quarter and breakdown."""
    if key not in for_view(view):
        raise DrillError(f"the {view} view has no drill-down {key!r} (it has: "
                         f"{', '.join(for_view(view)) or 'none'})")
    if key != GOAL_ACTUAL:
        return key, scope
    if not scope.item:
        raise DrillError(f"{GOAL_ACTUAL} opens one goal's records: name its goal_id")
    found = goal_drill(cursor, scope.item, scope.as_of, start_month)
    if found is None:
        raise DrillError(f"goal {scope.item} has no actual to open (no such goal, or a "
                         "metric with no definition)")
    return found


# -- Definitions ----------------------------------------------------------------------------

def _bounds(scope: Scope) -> dict:
    return {"region": scope.region, "segment": scope.segment}


def _row_owners(cursor, scope: Scope, row: str | None) -> list[str] | None:
    """The reps of a row of the forecast's by-rep (Scope.item: a person_id), by-team (the
    manager's person_id, "" for reps without one) or by-region table (forecast._grouped):
    the reps in scope (forecasting.reps_in_scope) of that team or region."""
    if row is None:
        return None
    if row == "rep":
        return [scope.item]
    reps = fc.reps_in_scope(fc.people(cursor), scope.region, scope.segment)
    column, none = {"team": ("manager_id", ""), "region": ("region", "No region")}[row]
    return reps.loc[reps[column].fillna(none) == scope.item, "person_id"].tolist()


def _recorded(state: str, row: str | None = None):
    """Closed-won and open pipeline as the forecast reads them: deals as recorded at the end
    of the as-of day (forecasting.PipelineHistory, Point.as_of); `row`: a row of the
    forecast's by-rep, by-team or by-region table, the deals its reps owned then."""
    def parameters(cursor, scope: Scope):
        point = Point.as_of(scope.quarter, scope.as_of)
        return "drill_deals_recorded", {
            **_bounds(scope), "state": state, "at": point.at,
            "starts_on": scope.quarter.start, "ends_before": scope.quarter.end,
            "owners": _row_owners(cursor, scope, row)}
    return parameters


def _deals_now(which: str, quarter_of: Callable[[Scope], Quarter] = lambda s: s.quarter):
    """Deal figures of relay.actuals (deal_actuals.sql): the deals as they stand now."""
    def parameters(cursor, scope: Scope):
        quarter = quarter_of(scope)
        return "drill_deals", {
            **_bounds(scope), "which": which, "starts_on": quarter.start,
            "so_far_before": so_far_before(quarter, scope.as_of)}
    return parameters


STEP_STAGES = {key: stage for key, _, stage in FUNNEL_STEPS}
STAGE_DATES = {"inquiries": "created_at", "mqls": "mql_at", "sals": "sal_at",
               "sqls": "sql_at"}


# What a lead of a stage's cohort went on to (funnel_by_quarter's went_on): the next stage's
# date, or a deal ("deal"); an opportunity's lead went on when a deal of it was won.
NEXT_STAGE = {"inquiries": "mql_at", "mqls": "sal_at", "sals": "sql_at", "sqls": "deal"}


def _stage_leads(scope: Scope, stage: str, went_on: bool = False,
                 source: str | None = None) -> tuple:
    bounds = {**_bounds(scope), "starts_on": scope.quarter.start,
              "before": scope.so_far_before, "went_on": went_on, "source": source}
    if stage in STAGE_DATES:
        return ("drill_leads", {**bounds, "next": NEXT_STAGE[stage], "rep": scope.rep},
                {"stage_date": STAGE_DATES[stage]})
    return "drill_deal_leads", {**bounds, "stage": stage}, None


def _leads(stage: str):
    """A stage count of the quarter so far (lead_actuals.sql, funnel_by_quarter.sql,
    speed_to_lead.sql's MQLs); opportunities and wins by the leads' deals."""
    def parameters(cursor, scope: Scope):
        return _stage_leads(scope, stage)
    return parameters


def funnel_step(step: str, dimension: str | None = None, value: str | None = None) -> str:
    """The item naming a row of the funnel's conversion table ("mql_to_sal") or of its
    breakdown ("mql_to_sal:channel=Webinar")."""
    return step if dimension is None else f"{step}:{dimension}={value}"


def _funnel_step(went_on: bool):
    """A step of the funnel's conversion table (funnel._rate_rows): its cohort, the leads
    that reached its stage in the quarter, or those of them that went on to the next. A
    breakdown row narrows them to its channel (the leads' source), region or segment."""
    def parameters(cursor, scope: Scope):
        step, _, breakdown = scope.item.partition(":")
        stage = STEP_STAGES.get(step)
        if stage is None:
            raise DrillError(f"no funnel step {step!r} (steps: {', '.join(STEP_STAGES)})")
        dimension, _, value = breakdown.partition("=")
        if dimension in ("region", "segment"):
            if value == f"(no {dimension})":  # scoped_leads narrows to a named one only
                raise DrillError(f"the leads without a {dimension} have no drill-down")
            scope = replace(scope, **{dimension: value})
        elif dimension not in ("", "channel"):
            raise DrillError(f"no funnel breakdown by {dimension!r} (channel, region, segment)")
        return _stage_leads(scope, stage, went_on, value if dimension == "channel" else None)
    return parameters


def _campaign_bounds(scope: Scope) -> dict:
    """The campaign page's bounds: the quarter, and what has been produced (spent, arrived,
    won) by the end of the as-of day."""
    return {**_bounds(scope), "starts_on": scope.quarter.start, "ends_before": scope.quarter.end,
            "produced_before": scope.as_of + dt.timedelta(days=1)}


def _campaigns(costed_only: bool, by_channel: bool = False):
    def parameters(cursor, scope: Scope):
        return "drill_campaigns", {**_campaign_bounds(scope), "costed_only": costed_only,
                                   "channel": scope.item if by_channel else None}
    return parameters


def _rows_of(scope: Scope, by_channel: bool) -> dict:
    """A row of the campaign table (a campaign) or of the channel table (a channel)."""
    return {"campaign_id": None if by_channel else scope.item,
            "channel": scope.item if by_channel else None}


def _campaign_leads(by_channel: bool = False):
    def parameters(cursor, scope: Scope):
        return "drill_campaign_leads", {**_campaign_bounds(scope),
                                        **_rows_of(scope, by_channel)}
    return parameters


def _campaign_deals(which: str, by_channel: bool = False):
    def parameters(cursor, scope: Scope):
        return "drill_campaign_deals", {**_campaign_bounds(scope), "which": which,
                                        **_rows_of(scope, by_channel)}
    return parameters


def _open_breaches(cursor, scope: Scope):
    return "open_breaches", {
        **_bounds(scope), "starts_on": scope.quarter.start, "ends_before": scope.so_far_before,
        "now": ages_until(scope.as_of), "sla_hours": settings.load(cursor).sla_hours,
        "rep": scope.rep}


def _calendar_campaigns(which: str):
    """The calendar's campaign counts (calendar.build) and its expected leads."""
    def parameters(cursor, scope: RangeScope):
        return "drill_calendar_campaigns", {**scope.bounds, "which": which,
                                            "today": scope.as_of}
    return parameters


def _calendar_leads(cursor, scope: RangeScope):
    """The leads arrived so far in the range (calendar._lead_flow)."""
    arrived_before = min(scope.chosen.ends_on, scope.as_of) + dt.timedelta(days=1)
    return "drill_calendar_leads", {**scope.bounds, "ends_before": arrived_before}


# A goal's actual (relay.actuals.goal_actual): the records of its metric for the goal's own
# quarter and breakdown. Win rate opens the closed deals: won ÷ all of them; pipeline closed
# their amounts.
GOAL_DRILLS = {"revenue": "closed_won_now", "pipeline": "pipeline_created", "mqls": "mqls",
               "sals": "sals", "sqls": "sqls", "win_rate": "deals_closed",
               "pipeline_closed": "pipeline_closed"}


GOAL_ACTUAL = "goal_actual"


def goal_drill(cursor: duckdb.DuckDBPyConnection, goal_id: str, as_of: dt.date,
               start_month: int) -> tuple[str, Scope] | None:
    """The drill-down and scope behind a goal's actual; None for a metric with no actual
    (or no such goal)."""
    if not str(goal_id).isdigit():
        return None
    goal = sql.row(cursor, "goal_by_id", goal_id=int(goal_id))
    if goal is None or goal["metric"] not in GOAL_DRILLS:
        return None
    quarter = Quarter.parse(goal["quarter"], start_month)
    return GOAL_DRILLS[goal["metric"]], Scope(quarter, goal["region"], goal["segment"], as_of)


def _trend_quarter(scope: Scope) -> Quarter:
    return Quarter.parse(scope.item, scope.quarter.start_month)


_DEFINITIONS = [
    Drill("closed_won", "deals", ("overview", "forecast"), _recorded("won"), total="amount"),
    Drill("open_pipeline", "deals", ("overview", "forecast"), _recorded("open"),
          total="amount"),
    *(Drill(f"{row}_{figure}", "deals", ("forecast",), _recorded(state, row),
            total="amount", item=row)
      for row in ("rep", "team", "region")
      for figure, state in (("closed_won", "won"), ("open_pipeline", "open"))),
    Drill("pipeline_created", "deals", ("overview",), _deals_now("created"),
          total="amount"),
    Drill("closed_won_now", "deals", (), _deals_now("won"), total="amount"),
    Drill("deals_closed", "deals", (), _deals_now("closed")),
    Drill("pipeline_closed", "deals", (), _deals_now("closed"), total="amount"),
    Drill("trend_closed_won", "deals", ("overview",), _deals_now("won", _trend_quarter),
          total="amount", item="quarter"),
    Drill("mqls", "leads", ("overview",), _leads("mqls")),
    Drill("sals", "leads", (), _leads("sals")),
    Drill("sqls", "leads", ("overview",), _leads("sqls")),
    *(Drill(f"funnel_{stage}", "leads", ("funnel",), _leads(stage))
      for stage in ("inquiries", "mqls", "sals", "sqls", "opportunities", "won")),
    Drill("funnel_step_cohort", "leads", ("funnel",), _funnel_step(went_on=False),
          item="step"),
    Drill("funnel_step_converted", "leads", ("funnel",), _funnel_step(went_on=True),
          item="step"),
    Drill("mqls_in_period", "leads", ("sla",), _leads("mqls")),
    Drill("open_breaches", "leads", ("sla",), _open_breaches),
    Drill("campaigns_run", "campaigns", ("campaigns",), _campaigns(costed_only=False)),
    Drill("campaign_cost", "campaigns", ("campaigns",), _campaigns(costed_only=True),
          total="cost_in_quarter"),
    Drill("campaign_sourced_pipeline", "deals", ("campaigns",), _campaign_deals("pipeline"),
          total="amount"),
    Drill("campaign_sourced_revenue", "deals", ("campaigns",), _campaign_deals("revenue"),
          total="amount"),
    Drill("campaign_leads", "leads", ("campaigns",), _campaign_leads(), item="campaign"),
    # A row of the channel table: its campaigns, their leads, pipeline and revenue.
    Drill("channel_campaigns", "campaigns", ("campaigns",),
          _campaigns(costed_only=False, by_channel=True), item="channel"),
    Drill("channel_leads", "leads", ("campaigns",), _campaign_leads(by_channel=True),
          item="channel"),
    Drill("channel_sourced_pipeline", "deals", ("campaigns",),
          _campaign_deals("pipeline", by_channel=True), total="amount", item="channel"),
    Drill("channel_sourced_revenue", "deals", ("campaigns",),
          _campaign_deals("revenue", by_channel=True), total="amount", item="channel"),
]
# The calendar's figures: over a date range, not a quarter (RangeScope).
CALENDAR_DRILLS = [
    Drill("campaigns_in_view", "campaigns", ("calendar",), _calendar_campaigns("all")),
    Drill("live_now", "campaigns", ("calendar",), _calendar_campaigns("live")),
    Drill("starting_in_range", "campaigns", ("calendar",), _calendar_campaigns("starting")),
    Drill("expected_leads_in_range", "campaigns", ("calendar",),
          _calendar_campaigns("expected"), total="expected_in_range"),
    Drill("leads_arrived_in_range", "leads", ("calendar",), _calendar_leads),
]
_DEFINITIONS += CALENDAR_DRILLS
DRILLS = {drill.key: drill for drill in _DEFINITIONS}
