"""The demand-waterfall planner: a revenue target worked back to pipeline, SQLs, SALs and
MQLs, with every assumption measured on history and open to a what-if."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import holdings, planning, settings, sql
from relay.actuals import GOAL_METRICS
from relay.filters import Filters
from relay.views.common import NoteKind, View

STAGES = ["revenue", "pipeline", "sqls", "sals", "mqls", "win_rate"]


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
          revenue_target: float | None = None,
          overrides: dict[str, float] | None = None) -> View:
    """The plan for the quarter and breakdown. Without a revenue target, the stored revenue
    goal is used; `overrides` replace measured assumptions by key. Input the plan cannot use
    goes to `view.problems`, and the waterfall is then left out."""
    view = View("plan", filters, as_of, holdings=holdings.of(cursor))
    config = settings.load(cursor)
    measured = planning.measure(cursor, filters.quarter, filters.region, filters.segment, as_of,
                                config.lookback_quarters)
    overrides = overrides or {}
    view.problems += [
        f"No assumption named {key} (assumptions: {', '.join(planning.ASSUMPTIONS)})."
        for key in sorted(set(overrides) - set(planning.ASSUMPTIONS))
    ]
    used = {}
    for key, assumption in measured.items():
        try:
            used[key] = planning.validate(key, overrides.get(key, assumption.measured))
        except planning.PlanError as problem:
            used[key] = overrides.get(key, assumption.measured)
            view.problems.append(str(problem))
    view.tables["assumptions"] = pd.DataFrame([
        {
            "assumption": key,
            "label": assumption.label,
            "kind": assumption.kind,
            "measured": assumption.measured,
            "used": used[key],
            "overridden": key in overrides,
            "cohort": assumption.cohort,
            "measured_on": assumption.measured_on,
        }
        for key, assumption in measured.items()
    ])

    current = {
        goal["metric"]: goal
        for goal in sql.records(cursor, "goals_for_breakdown", quarter=str(filters.quarter),
                                region=filters.region, segment=filters.segment)
    }
    if revenue_target is None:
        revenue_target = current.get("revenue", {}).get("target")
        if revenue_target is None:
            view.problems.append(
                f"No revenue goal is stored for {filters.describe()}: give a revenue target.")
    if revenue_target is not None:
        try:
            revenue_target = planning.validate_target(revenue_target)
        except planning.PlanError as problem:
            view.problems.append(str(problem))
    if view.problems:
        return view

    plan = planning.waterfall(revenue_target, used)
    supply = sql.row(cursor, "planned_campaign_leads", **filters.bounds())
    campaign_mqls = float(supply["expected_leads"]) * used["inquiry_to_mql"]
    view.add("revenue_target", revenue_target)
    view.add("deals_won_needed", plan.deals_won)
    view.add("pipeline_needed", plan.pipeline)
    view.add("opportunities_needed", plan.opportunities)
    view.add("lead_opportunities_needed", plan.lead_opportunities)
    view.add("sqls_needed", plan.sqls)
    view.add("sals_needed", plan.sals)
    view.add("mqls_needed", plan.mqls)
    view.add("campaign_expected_leads", supply["expected_leads"])
    view.add("campaign_mqls", campaign_mqls)
    view.add("other_mqls", used["other_mqls"])
    view.add("mql_gap", plan.mqls - campaign_mqls - used["other_mqls"])
    goals = planning.as_goals(plan, used["win_rate"])
    view.tables["goals"] = pd.DataFrame([
        {
            "metric": metric,
            "goal": GOAL_METRICS[metric],
            "planned_target": goals[metric],
            "current_target": current[metric]["target"] if metric in current else None,
            "current_version": current[metric]["version"] if metric in current else None,
        }
        for metric in STAGES
    ])
    view.note(
        f"{int(supply['campaigns'])} campaigns run in {filters.quarter} for this breakdown.",
        NoteKind.SCOPE,
    )
    return view


def targets_and_versions(view: View) -> tuple[dict[str, float], dict[str, int | None]]:
    """What saving the plan writes: each goal's planned target, and the version of the stored
    goal the planner saw (None where there was none)."""
    goals = view.tables["goals"]
    targets = dict(zip(goals["metric"], goals["planned_target"].astype(float), strict=True))
    versions = {
        metric: None if pd.isna(version) else int(version)
        for metric, version in zip(goals["metric"], goals["current_version"], strict=True)
    }
    return targets, versions


def overrides_from(assumptions: pd.DataFrame) -> dict[str, float]:
    """The what-ifs in an edited assumptions table: every value that differs from what was
    measured (an emptied cell is left out: it goes back to the measured value)."""
    return {
        row.assumption: float(row.used)
        for row in assumptions.itertuples()
        if pd.notna(row.used) and (pd.isna(row.measured) or row.used != row.measured)
    }
