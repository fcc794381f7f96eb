"""The demand-waterfall planner: a revenue target worked back to pipeline, SQLs, SALs and
MQLs, with every assumption measured on history and open to a what-if."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import format as fmt
from relay import holdings, planning, settings, sql
from relay.actuals import GOAL_METRICS
from relay.filters import Filters
from relay.views import goals as goals_view
from relay.views.common import NoteKind, View

STAGES = ["revenue", "pipeline_closed", "sqls", "sals", "mqls", "win_rate"]


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
          revenue_target: float | None = None,
          overrides: dict[str, float] | None = None) -> View:
    """The plan for the quarter and breakdown. Without a revenue target, the stored revenue
    goal is used; `overrides` replace measured assumptions by key. Input the plan cannot use
    goes to `view.problems`, and the waterfall is then left out. An assumption the store
    can't measure at all (no leads) is unknown, not a problem: the plan stops above it."""
    view = View("plan", filters, as_of, holdings=holdings.of(cursor))
    config = settings.load(cursor)
    measured = planning.measure(cursor, filters.quarter, filters.region, filters.segment, as_of,
                                config.lookback_quarters, view.holdings)
    overrides = overrides or {}
    view.problems += [
        f"No assumption named {key} (assumptions: {', '.join(planning.ASSUMPTIONS)})."
        for key in sorted(set(overrides) - set(planning.ASSUMPTIONS))
    ]
    used: dict[str, float | None] = {}
    for key, assumption in measured.items():
        if assumption.reason and key not in overrides:
            used[key] = None  # the store can't measure it: unknown, and so are its stages
            continue
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
            "measured_shown": assumption_shown(assumption.measured, assumption.kind,
                                               config.currency),
            "used": used[key],
            "overridden": key in overrides,
            "cohort": assumption.cohort,
            "measured_on": assumption.reason or assumption.measured_on,
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
    goals = planning.as_goals(plan, used["win_rate"])
    funnel_why = next((measured[key].reason for key in planning.FUNNEL_RATES
                       if used[key] is None), "")
    # The cards show the counts the plan saves: rounded up, as saved.
    view.add("revenue_target", revenue_target)
    view.add("deals_won_needed", planning.whole(plan.deals_won))
    view.add("pipeline_needed", goals["pipeline_closed"])
    view.add("opportunities_needed", planning.whole(plan.opportunities))
    view.add("lead_opportunities_needed", planning.whole(plan.lead_opportunities), funnel_why)
    view.add("sqls_needed", goals.get("sqls"), funnel_why)
    view.add("sals_needed", goals.get("sals"), funnel_why)
    view.add("mqls_needed", goals.get("mqls"), funnel_why)
    _mql_supply(view, cursor, filters, used, measured, goals.get("mqls"), funnel_why)
    view.tables["goals"] = pd.DataFrame([
        {
            "metric": metric,
            "goal": GOAL_METRICS[metric],
            "planned_target": goals[metric],
            "planned_shown": goal_shown(metric, goals[metric], config.currency),
            "current_target": current[metric]["target"] if metric in current else None,
            "current_shown": goal_shown(metric, current[metric]["target"], config.currency)
            if metric in current else fmt.MISSING,
            "current_version": current[metric]["version"] if metric in current else None,
        }
        for metric in STAGES if metric in goals
    ])
    if funnel_why:
        view.note(f"SQL, SAL and MQL goals are not planned: {funnel_why}", NoteKind.CAVEAT)
    return view


def _mql_supply(view: View, cursor: duckdb.DuckDBPyConnection, filters: Filters,
                used: dict[str, float | None], measured: dict, mqls_needed: int | None,
                funnel_why: str) -> None:
    """Where the MQLs would come from: the quarter's campaigns and the usual MQLs from
    outside campaigns, in whole MQLs, and what is left to find (or to spare)."""
    supply = sql.row(cursor, "planned_campaign_leads", **filters.bounds())
    inquiry_to_mql, other = used["inquiry_to_mql"], used["other_mqls"]
    campaign_mqls = (None if inquiry_to_mql is None
                     else round(float(supply["expected_leads"]) * inquiry_to_mql))
    other_mqls = None if other is None else round(other)
    view.add("campaign_expected_leads", supply["expected_leads"])
    view.add("campaign_mqls", campaign_mqls, measured["inquiry_to_mql"].reason)
    view.add("other_mqls", other_mqls, measured["other_mqls"].reason)
    parts = (mqls_needed, campaign_mqls, other_mqls)
    gap = None if None in parts else mqls_needed - campaign_mqls - other_mqls
    view.add("mql_gap", gap, funnel_why or measured["inquiry_to_mql"].reason
             or measured["other_mqls"].reason)
    if view.figures["campaign_expected_leads"].known:
        view.note(f"{int(supply['campaigns'])} campaigns (not cancelled) run in "
                  f"{filters.quarter} for this breakdown.", NoteKind.SCOPE)


def goal_shown(metric: str, target: float | None, currency: str) -> str:
    return goals_view.shown(target, goals_view.unit_of(metric), currency)


def assumption_shown(value: float | None, kind: str, currency: str) -> str:
    """A measured assumption as people read it: 30%, $57.5K, 962; a dash for none."""
    if kind in ("rate", "share"):
        return fmt.MISSING if fmt.missing(value) else f"{value:.1%}"
    return fmt.by_unit(value, "currency" if kind == "currency" else "count", currency)


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
