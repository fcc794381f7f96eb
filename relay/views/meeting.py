"""The quarterly planning meeting, on one page: review the quarter that just closed (against
the plan as signed), plan the chosen quarter for the company and every region or segment,
agree the goals, sign. Built from the goals, campaign and plan views, never figures of its
own."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import format as fmt
from relay import holdings, planning, settings, sql
from relay.actuals import GOAL_METRICS, window_actuals
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import campaign_performance
from relay.views import goals as goals_view
from relay.views.common import View

# The company goals the split spreads over regions or segments, in the order shown.
SPLIT_METRICS = ("revenue", "pipeline_closed", "pipeline", "mqls", "sals", "sqls")
# The company goals the plan saves as they are, never split: rates (a region's win rate is not
# a share of the company's). Shown on the company row of the split, as saved.
COMPANY_ONLY_METRICS = ("win_rate",)
DIMENSIONS = {"region": "Regions", "segment": "Segments"}
# Stages of the demand funnel whose goals say where a miss began, top of the funnel first.
FUNNEL_GOALS = ("mqls", "sals", "sqls", "pipeline", "pipeline_closed", "revenue")


def default_quarter(today: dt.date, start_month: int = 1) -> Quarter:
    """The quarter a planning meeting is about: the next one once the current quarter is
    past its middle, else the current one."""
    current = Quarter.containing(today, start_month)
    return current.shift(1) if current.elapsed_share(today) > 0.5 else current


def quarters_to_meet_on(today: dt.date, start_month: int = 1) -> list[Quarter]:
    current = Quarter.containing(today, start_month)
    return [current.shift(step) for step in (-1, 0, 1, 2)]


def closed_before(quarter: Quarter, today: dt.date) -> Quarter:
    """The quarter the meeting reviews: the last closed one before the planned quarter."""
    current = Quarter.containing(today, quarter.start_month)
    return min(quarter, current).shift(-1)


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date) -> View:
    """The meeting for `filters.quarter` (company-wide): the review of the quarter before
    it, and the quarter's goals, sign-offs and changes since signed."""
    currency = settings.load(cursor).currency
    reviewed = closed_before(filters.quarter, as_of)
    review = goals_view.build(cursor, Filters(reviewed), as_of)
    # What the store holds is one answer for both quarters: read once, by the review.
    view = View("meeting", filters, as_of, holdings=review.holdings)
    view.tables["review"] = against_signed(cursor, review.tables["goals"], str(reviewed),
                                           currency)
    view.tables["drivers"] = drivers(cursor, view.tables["review"], reviewed, as_of, currency)
    view.tables["review_signoffs"] = review.tables["signoffs"]
    plan = goals_view.build(cursor, filters, as_of)
    view.tables["goals"] = plan.tables["goals"]
    view.tables["signoffs"] = plan.tables["signoffs"]
    view.tables["changed_since_signed"] = plan.tables["changed_since_signed"]
    view.add("plan_revision", plan.value("plan_revision"))
    view.tables["reconciliation"] = reconciliation(plan.tables["goals"], currency)
    view.notes += plan.notes
    return view


NEVER_SIGNED = "goal (never signed by both sides)"
REVIEW_COLUMNS = ["goal", "signed_shown", "target_shown", "actual_shown", "attainment",
                  "status", "result", "judged_on", "metric", "region", "segment", "actual",
                  "judged", "judged_shown"]


def against_signed(cursor: duckdb.DuckDBPyConnection, goals: pd.DataFrame, quarter: str,
                   currency: str) -> pd.DataFrame:
    """A closed quarter's goals judged against the plan as signed (the latest revision both
    sides signed): the signed target, the actual, hit or missed and by how much; the target
    as edited since beside it. A goal the signed plan lacks (or every goal, when both sides
    never signed the same revision) is judged on its target, and says so."""
    signed = goals_view.signed_plan(cursor, quarter)
    rows = []
    for goal in goals.to_dict(orient="records"):
        target = signed.get((goal["metric"], _text(goal["region"]), _text(goal["segment"])))
        unit = goals_view.unit_of(goal["metric"])
        actual = goal["actual"]
        judged = goal["target"] if target is None else target
        measured = actual is not None and not pd.isna(actual)
        rows.append({
            "goal": goal["goal"],
            "signed_shown": goals_view.shown(target, unit, currency),
            "target_shown": goal["target_shown"],
            "actual_shown": goal["actual_shown"],
            "attainment": actual / judged if measured and judged else None,
            "status": ("Not measured" if not measured
                       else "Hit" if actual >= judged else "Missed"),
            "result": goals_view.difference(
                goal["metric"], judged - actual, "above the plan", "short of the plan",
                "exactly on plan", currency) if measured else goal["result"],
            "judged_on": ("signed plan" if target is not None
                          else "goal (added since signed)" if signed else NEVER_SIGNED),
            "metric": goal["metric"],
            "region": _text(goal["region"]),
            "segment": _text(goal["segment"]),
            "actual": actual if measured else None,
            "judged": judged,
            "judged_shown": goals_view.shown(judged, unit, currency),
        })
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


def drivers(cursor: duckdb.DuckDBPyConnection, review: pd.DataFrame, quarter: Quarter,
            as_of: dt.date, currency: str) -> pd.DataFrame:
    """What drove the misses, in figures the other pages show, judged as the review is
    (`review` from against_signed: each goal's target as signed where there is a signed
    plan): the funnel stage furthest short of its company goal, the region furthest short of
    its revenue goal, the channel whose MQLs fell most against the quarter before, and the
    campaign furthest short of its expected leads."""
    rows = []
    judged = pd.to_numeric(review["judged"], errors="coerce")
    actual = pd.to_numeric(review["actual"], errors="coerce")
    measured = review[actual.notna() & (judged > 0)].assign(
        actual=actual, judged=judged)
    measured["short"] = 1 - measured["actual"] / measured["judged"]
    company = measured[measured["region"].isna() & measured["segment"].isna()
                       & measured["metric"].isin(FUNNEL_GOALS) & (measured["short"] > 0)]
    if not company.empty:
        worst = company.sort_values("short", ascending=False).iloc[0]
        rows.append({"driver": "Funnel stage furthest short", "where": GOAL_METRICS.get(
            worst["metric"], worst["metric"]), "figure": f"{worst['actual_shown']} of "
            f"{worst['judged_shown']}: {worst['result']}"})
    regional = measured[measured["region"].notna() & measured["segment"].isna()
                        & (measured["metric"] == "revenue") & (measured["short"] > 0)]
    if not regional.empty:
        regional = regional.assign(gap=regional["judged"] - regional["actual"])
        worst = regional.sort_values("gap", ascending=False).iloc[0]
        rows.append({"driver": "Region furthest short of revenue", "where": worst["region"],
                     "figure": f"{worst['actual_shown']} of {worst['judged_shown']}: "
                     f"{worst['result']}"})
    channel = _channel_drop(cursor, quarter, as_of)
    if channel is not None:
        rows.append(channel)
    campaign = _campaign_shortfall(cursor, quarter, as_of)
    if campaign is not None:
        rows.append(campaign)
    return pd.DataFrame(rows, columns=["driver", "where", "figure"])


def _channel_drop(cursor: duckdb.DuckDBPyConnection, quarter: Quarter,
                  as_of: dt.date) -> dict | None:
    """The channel whose campaigns brought the most fewer MQLs than the quarter before."""
    now, before = (campaign_performance.channel_mqls(cursor, Filters(which), as_of)
                   for which in (quarter, quarter.shift(-1)))
    drops = {name: before[name] - now.get(name, 0) for name in before
             if pd.notna(before[name]) and pd.notna(now.get(name, 0))}
    drops = {name: drop for name, drop in drops.items() if drop > 0}
    if not drops:
        return None
    largest = max(drops.values())
    tied = [name for name, drop in drops.items() if drop == largest]
    if len(tied) == 1:
        name = tied[0]
    else:  # the first in the channels table's order (by sourced revenue), as it always was
        order = campaign_performance.channel_counts(cursor, Filters(quarter.shift(-1)), as_of)
        name = next(channel for channel in order["channel"] if channel in tied)
    return {"driver": "Channel with the largest fall in MQLs", "where": name,
            "figure": f"{now.get(name, 0):,.0f} MQLs, {drops[name]:,.0f} fewer than in "
                      f"{quarter.shift(-1)} ({before[name]:,.0f})"}


def _campaign_shortfall(cursor: duckdb.DuckDBPyConnection, quarter: Quarter,
                        as_of: dt.date) -> dict | None:
    """The campaign with the largest shortfall of leads against the leads it was expected to
    bring in the quarter (its expected leads spread evenly over its days, as the calendar
    counts them); None when the store holds no campaigns or leads, or none fell short."""
    if holdings.of(cursor).lacking((holdings.Need.CAMPAIGNS, holdings.Need.CAMPAIGN_LEADS)):
        return None
    worst = sql.row(cursor, "campaign_lead_shortfall", starts_on=quarter.start,
                    ends_on=min(quarter.last_day, as_of))
    if worst["name"] is None:
        return None
    return {"driver": "Campaign furthest short of its expected leads", "where": worst["name"],
            "figure": f"{fmt.count(worst['leads'])} of {fmt.count(worst['expected_leads'])} "
                      f"expected leads arrived: {fmt.count(worst['shortfall'])} short"}


def lookback_history(cursor: duckdb.DuckDBPyConnection, quarter: Quarter, as_of: dt.date,
                     quarters: int) -> dict[tuple, dict[str, float]]:
    """Every breakdown's figures summed over the closed quarters a plan for `quarter` is
    measured on (planning.lookback_window), read for the whole window at once."""
    first, last = planning.lookback_window(quarter, as_of, quarters)
    return window_actuals(cursor, first, last, as_of)


def split_rows(cursor: duckdb.DuckDBPyConnection, quarter: Quarter, as_of: dt.date,
               company: dict[str, float], dimension: str) -> pd.DataFrame:
    """The company targets split across every region (or segment) by its share of the
    look-back quarters, one row per region with a column per metric, the company row first;
    and each row's share of revenue, for the reader."""
    config = settings.load(cursor)
    history = lookback_history(cursor, quarter, as_of, config.lookback_quarters)
    metrics = [metric for metric in SPLIT_METRICS if company.get(metric) is not None]
    split = {
        metric: planning.split(company[metric],
                               planning.shares(history, dimension, planning.SPLIT_BY[metric]),
                               planning.SPLIT_STEP.get(metric, 1))
        for metric in metrics
    }
    whole = [metric for metric in COMPANY_ONLY_METRICS if company.get(metric) is not None]
    names = sorted({name for parts in split.values() for name in parts})
    revenue_shares = planning.shares(history, dimension, "closed_won")
    rows = [{"row": "Company", **{m: company[m] for m in metrics + whole}, "share": 1.0}]
    rows += [{"row": name, **{m: split[m].get(name) for m in metrics},
              "share": revenue_shares.get(name)} for name in names]
    return pd.DataFrame(rows, columns=["row", *metrics, *whole, "share"])


def reconciliation_of(rows: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Where the rows of an edited split (the company row first) don't add up to it."""
    metrics = tuple(m for m in SPLIT_METRICS if m in rows.columns)
    company = rows.iloc[0]
    parts = {row["row"]: {m: _number(row[m]) for m in metrics}
             for row in rows.iloc[1:].to_dict(orient="records")}
    return _reconciliation_frame(
        planning.reconcile({m: _number(company[m]) for m in metrics}, parts, metrics), currency)


def reconciliation(goals: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The stored goals' reconciliation, per dimension: region goals against the company
    goal, segment goals against it, for every metric that has rows."""
    lines = []
    company = goals[goals["region"].isna() & goals["segment"].isna()]
    company_targets = dict(zip(company["metric"], company["target"], strict=True))
    for dimension, other in (("region", "segment"), ("segment", "region")):
        rows = goals[goals[dimension].notna() & goals[other].isna()]
        metrics = tuple(m for m in SPLIT_METRICS if m in set(rows["metric"]))
        if not metrics:
            continue
        names = sorted(set(rows[dimension]))
        parts = {name: {m: None for m in metrics} for name in names}
        for goal in rows.itertuples():
            if goal.metric in metrics:
                parts[getattr(goal, dimension)][goal.metric] = float(goal.target)
        frame = _reconciliation_frame(planning.reconcile(company_targets, parts, metrics),
                                      currency)
        frame.insert(0, "rows", DIMENSIONS[dimension])
        lines.append(frame)
    columns = ["rows", "goal", "company_shown", "rows_shown", "difference_shown", "verdict"]
    return pd.concat(lines, ignore_index=True) if lines else pd.DataFrame(columns=columns)


def _reconciliation_frame(lines: list[dict], currency: str) -> pd.DataFrame:
    rows = []
    for line in lines:
        unit = goals_view.unit_of(line["metric"])
        difference = line["difference"]
        if line["company"] is None:
            verdict = "No company goal to add up to"
        elif line["adds_up"]:
            verdict = "Adds up"
        else:
            parts = []
            if abs(difference) >= 0.5:
                parts.append(goals_view.difference(line["metric"], -difference,
                                                   "more than the company goal",
                                                   "less than the company goal", "", currency))
            if line["rows_without_target"]:
                parts.append("no target for " + ", ".join(line["rows_without_target"]))
            verdict = "Rows: " + "; ".join(parts)
        rows.append({
            "goal": GOAL_METRICS.get(line["metric"], line["metric"]),
            "metric": line["metric"],
            "company_shown": goals_view.shown(line["company"], unit, currency),
            "rows_shown": goals_view.shown(line["rows_total"], unit, currency),
            "difference": difference,
            "difference_shown": goals_view.shown(difference, unit, currency),
            "adds_up": line["adds_up"],
            "verdict": verdict,
        })
    return pd.DataFrame(rows, columns=["goal", "metric", "company_shown", "rows_shown",
                                       "difference", "difference_shown", "adds_up", "verdict"])


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else value


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def split_targets(rows: pd.DataFrame, dimension: str) -> dict[tuple, dict[str, float]]:
    """An edited split as the goals to save: {(region, segment): {metric: target}}, the
    company row as (None, None); empty cells are left out (no goal saved for them)."""
    metrics = [m for m in SPLIT_METRICS + COMPANY_ONLY_METRICS if m in rows.columns]
    saved = {}
    for index, row in enumerate(rows.to_dict(orient="records")):
        key = (None, None) if index == 0 else (
            (row["row"], None) if dimension == "region" else (None, row["row"]))
        saved[key] = {m: float(row[m]) for m in metrics if _number(row[m]) is not None}
    return saved


def seen_versions(goals: pd.DataFrame) -> dict[tuple, int]:
    """{(region, segment, metric): version} of the quarter's stored goals, for a save that
    refuses a colleague's change made in between."""
    return {(_text(g.region), _text(g.segment), g.metric): int(g.version)
            for g in goals.itertuples()}

