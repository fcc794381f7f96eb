"""The goals page: every joint goal of the quarter with its actual, attainment and pace, and
the state of the plan's sign-off."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import holdings, sql
from relay.actuals import GOAL_METRICS, figures_for, goal_actual, quarter_actuals
from relay.filters import Filters, scope_label
from relay.goals import RATE_METRICS, revision
from relay.views.common import NoteKind, View


def phase(filters: Filters, as_of: dt.date) -> str:
    """closed, current or future: how the quarter stands on the as-of day."""
    if as_of >= filters.quarter.end:
        return "closed"
    return "current" if as_of >= filters.quarter.start else "future"


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date) -> View:
    view = View("goals", filters, as_of, holdings=holdings.of(cursor))
    quarter_phase = phase(filters, as_of)
    elapsed = filters.quarter.elapsed_share(as_of)
    goals = [
        goal for goal in sql.records(cursor, "goals_for_quarter", quarter=str(filters.quarter))
        if filters.region in (None, goal["region"]) and filters.segment in (None, goal["segment"])
    ]
    measured = goals and quarter_phase != "future"
    actuals = quarter_actuals(cursor, filters.quarter, as_of) if measured else {}

    rows = []
    for goal in goals:
        region, segment = goal["region"], goal["segment"]
        actual = (None if quarter_phase == "future"
                  else goal_actual(figures_for(actuals, region, segment), goal["metric"]))
        is_rate = goal["metric"] in RATE_METRICS
        target = float(goal["target"])
        expected = target if is_rate else target * elapsed
        rows.append({
            **goal,
            "region": region,
            "segment": segment,
            "goal": goal_label(goal["metric"], region, segment),
            "actual": actual,
            "attainment": None if actual is None or not target else actual / target,
            "expected_by_now": (None if quarter_phase == "future"
                                else expected if is_rate else round(expected)),
            "status": _status(quarter_phase, actual, target, expected),
        })
    table = pd.DataFrame(rows, columns=[
        "goal_id", "quarter", "metric", "goal", "region", "segment", "owner_team",
        "target", "actual", "attainment", "expected_by_now", "status", "version",
        "updated_by", "updated_at",
    ])
    view.tables["goals"] = table
    view.tables["signoffs"] = sql.frame(cursor, "signoff_state", quarter=str(filters.quarter))
    view.add("goals_total", len(table))
    view.add("goals_hit", int(table["status"].isin(["Hit", "On pace"]).sum()))
    view.add("quarter_elapsed", elapsed)
    view.add("plan_revision", revision(cursor, str(filters.quarter)))
    if table.empty:
        view.note(f"No goals are set for {filters.describe()} yet.", NoteKind.NOTHING)
    unknown = sorted(set(table["metric"]) - set(GOAL_METRICS))
    if unknown:
        view.note(
            f"No actual is measured for {', '.join(unknown)}: Revenue Relay has no definition "
            "for that metric yet."
        )
    return view


def goal_label(metric: str, region: str | None, segment: str | None) -> str:
    """'Closed-won revenue · EMEA · SMB', or '… · company-wide' without a breakdown."""
    return f"{GOAL_METRICS.get(metric, metric)} · {scope_label(region, segment)}"


def _status(quarter_phase: str, actual: float | None, target: float, expected: float) -> str:
    if quarter_phase == "future":
        return "Not started"
    if actual is None:
        return "Not measured"
    if quarter_phase == "closed":
        return "Hit" if actual >= target else "Missed"
    return "On pace" if actual >= expected else "Behind pace"


def history(cursor: duckdb.DuckDBPyConnection, goal_id: int) -> pd.DataFrame:
    """Every change of one goal, newest first."""
    return sql.frame(cursor, "goal_history", goal_id=str(goal_id))
