"""The goals page: every joint goal of the quarter, read by the quarter's phase. A closed
quarter shows each goal's actual against target, hit or missed and by how much; a current
one its actual so far and pace; a future one the plan only (targets, nothing measured)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd

from relay import format as fmt
from relay import holdings, settings, sql
from relay.actuals import GOAL_METRICS, figures_for, goal_actual, quarter_actuals
from relay.filters import Filters, scope_label
from relay.fiscal import Phase
from relay.goals import MONEY_METRICS, RATE_METRICS, revision
from relay.holdings import Need
from relay.metrics import METRICS
from relay.views.common import NoteKind, View

# What each goal's actual needs the store to hold (the figure it is measured as): without
# it the goal is not measured, never missed by its whole target.
GOAL_NEEDS: dict[str, tuple[Need, ...]] = {
    "revenue": METRICS["closed_won"].needs,
    "pipeline": METRICS["pipeline_created"].needs,
    "mqls": METRICS["mqls"].needs,
    "sals": METRICS["funnel_sals"].needs,
    "sqls": METRICS["sqls"].needs,
    "win_rate": METRICS["closed_won"].needs,
}
COLUMNS = [
    "goal_id", "quarter", "metric", "goal", "region", "segment", "owner_team", "target",
    "target_shown", "actual", "actual_shown", "attainment", "expected_by_now", "expected_shown",
    "status", "result", "version", "updated_by", "updated_at",
]


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date) -> View:
    view = View("goals", filters, as_of, holdings=holdings.of(cursor))
    currency = settings.load(cursor).currency
    quarter_phase = filters.quarter.phase(as_of)
    elapsed = filters.quarter.elapsed_share(as_of)
    goals = [
        goal for goal in sql.records(cursor, "goals_for_quarter", quarter=str(filters.quarter))
        if filters.region in (None, goal["region"]) and filters.segment in (None, goal["segment"])
    ]
    measured = goals and quarter_phase is not Phase.FUTURE
    actuals = quarter_actuals(cursor, filters.quarter, as_of) if measured else {}

    rows = []
    for goal in goals:
        region, segment, metric = goal["region"], goal["segment"], goal["metric"]
        unit = unit_of(metric)
        target = float(goal["target"])
        actual = None
        lacking = view.holdings.lacking(GOAL_NEEDS.get(metric, ()))
        if quarter_phase is not Phase.FUTURE and lacking is None:
            actual = goal_actual(figures_for(actuals, region, segment), metric)
        expected = None
        if quarter_phase is Phase.CURRENT:
            expected = target if metric in RATE_METRICS else round(target * elapsed)
        rows.append({
            **goal,
            "goal": goal_label(metric, region, segment),
            "target_shown": shown(target, unit, currency),
            "actual": actual,
            "actual_shown": shown(actual, unit, currency),
            "attainment": None if actual is None or not target else actual / target,
            "expected_by_now": expected,
            "expected_shown": shown(expected, unit, currency),
            "status": _status(quarter_phase, actual, target, expected),
            "result": _result(quarter_phase, goal, actual, expected, lacking, currency),
        })
    table = pd.DataFrame(rows, columns=COLUMNS)
    view.tables["goals"] = table
    view.tables["signoffs"] = sql.frame(cursor, "signoff_state", quarter=str(filters.quarter))
    view.tables["changed_since_signed"] = changes_since_signed(cursor, str(filters.quarter),
                                                               currency)
    view.add("goals_total", len(table))
    if quarter_phase is Phase.FUTURE:
        view.not_applicable("goals_hit", f"{filters.quarter} has not started: its goals are "
                                         "measured once it does.")
    else:
        view.add("goals_hit", int(table["status"].isin(["Hit", "On pace"]).sum()))
    view.add_quarter_elapsed(filters.quarter, as_of)
    view.add("plan_revision", revision(cursor, str(filters.quarter)))
    if table.empty:
        view.note(f"No goals are set for {filters.describe()} yet.", NoteKind.NOTHING)
    unknown = sorted(set(table["metric"]) - set(GOAL_METRICS))
    if unknown and quarter_phase is not Phase.FUTURE:
        view.note(
            f"No actual is measured for {', '.join(unknown)}: Revenue Relay has no definition "
            "for that metric yet."
        )
    return view


def unit_of(metric: str) -> str:
    """How a goal's target and actual read: money, a rate or a count."""
    if metric in MONEY_METRICS:
        return "currency"
    return "percent" if metric in RATE_METRICS else "count"


def shown(value: float | None, unit: str, currency: str) -> str:
    """A target or actual as people read it: $120.7M, 28%, 4,270; a dash for none."""
    return fmt.by_unit(value, unit, currency)


def goal_label(metric: str, region: str | None, segment: str | None) -> str:
    """'Closed-won revenue · EMEA · SMB', or '… · company-wide' without a breakdown."""
    return f"{GOAL_METRICS.get(metric, metric)} · {scope_label(region, segment)}"


def _status(quarter_phase: Phase, actual: float | None, target: float,
            expected: float | None) -> str:
    if quarter_phase is Phase.FUTURE:
        return "Not started"
    if actual is None:
        return "Not measured"
    if quarter_phase is Phase.CLOSED:
        return "Hit" if actual >= target else "Missed"
    return "On pace" if actual >= expected else "Behind pace"


def difference(metric: str, gap: float, above: str, below: str, level: str,
               currency: str) -> str:
    """`gap` (mark − actual) in words: money and counts in their unit, rates in points."""
    if metric not in RATE_METRICS:
        return fmt.against(gap, unit_of(metric), above, below, level, currency)
    points = abs(gap) * 100
    if round(points, 1) == 0:
        return level
    amount = f"{points:.0f}" if points >= 1 else f"{points:.1f}"
    noun = "point" if amount == "1" else "points"
    return f"{amount} {noun} {above if gap < 0 else below}"


def _result(quarter_phase: Phase, goal: dict, actual: float | None, expected: float | None,
            lacking: Need | None, currency: str) -> str | None:
    """By how much a goal was hit or missed (closed), or is ahead of or behind pace
    (current); for a goal that can't be measured, why."""
    metric = goal["metric"]
    if quarter_phase is Phase.FUTURE:
        return None
    if metric not in GOAL_METRICS:
        return f"Not measured: Revenue Relay has no definition for {metric}"
    if actual is None:
        if lacking is not None:
            return f"Not measured: {holdings.why_unknown(lacking)}"
        return f"Not measured: nothing to measure it on in {goal['quarter']}"
    if quarter_phase is Phase.CLOSED:
        return difference(metric, float(goal["target"]) - actual, "above target",
                          "short of target", "exactly on target", currency)
    return difference(metric, expected - actual, "ahead of pace", "behind pace", "on pace",
                      currency)


CHANGE_ACTIONS = {"goal.create": "Created", "goal.update": "Target changed"}


def history(cursor: duckdb.DuckDBPyConnection, goal_id: int) -> pd.DataFrame:
    """Every change of one goal, newest first, as people read it: when, who, what, and the
    target from → to in the goal's unit."""
    currency = settings.load(cursor).currency
    rows = []
    for change in sql.records(cursor, "goal_history", goal_id=str(goal_id)):
        before = json.loads(change["before"]) if change["before"] else {}
        after = json.loads(change["after"]) if change["after"] else {}
        unit = unit_of(after.get("metric") or before.get("metric") or "")
        rows.append({
            "at": change["at"],
            "actor": change["actor"],
            "change": CHANGE_ACTIONS.get(change["action"], change["action"]),
            "target_before": shown(before.get("target"), unit, currency),
            "target_after": shown(after.get("target"), unit, currency),
            "version": after.get("version"),
        })
    return pd.DataFrame(rows, columns=["at", "actor", "change", "target_before", "target_after",
                                       "version"])


CHANGE_COLUMNS = ["goal", "signed_shown", "now_shown", "change"]


def signed_plan(cursor: duckdb.DuckDBPyConnection, quarter: str) -> dict[tuple, float]:
    """{(metric, region, segment): target} of the quarter's goals as signed: the latest
    revision both sides signed; empty when both never signed the same revision (or the
    signatures predate kept plans)."""
    return {(goal["metric"], goal["region"], goal["segment"]): float(goal["target"])
            for goal in sql.records(cursor, "signed_goals", quarter=quarter)}


def changes_since_signed(cursor: duckdb.DuckDBPyConnection, quarter: str,
                         currency: str) -> pd.DataFrame:
    """Every goal that differs from the plan as last signed: changed (from → to), added
    since, or removed since; empty when nothing changed or nothing was signed."""
    signed = signed_plan(cursor, quarter)
    if not signed:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    now = {(goal["metric"], goal["region"], goal["segment"]): float(goal["target"])
           for goal in sql.records(cursor, "goals_for_quarter", quarter=quarter)}
    rows = []
    for key in sorted(set(signed) | set(now), key=lambda k: tuple(str(part) for part in k)):
        before, after = signed.get(key), now.get(key)
        if before == after:
            continue
        metric, region, segment = key
        unit = unit_of(metric)
        change = ("added since signed" if before is None else "removed since signed"
                  if after is None else f"{shown(before, unit, currency)} → "
                  f"{shown(after, unit, currency)}")
        rows.append({"goal": goal_label(metric, region, segment),
                     "signed_shown": shown(before, unit, currency),
                     "now_shown": shown(after, unit, currency), "change": change})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
