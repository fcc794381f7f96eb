"""The executive overview: the shared revenue target, where we stand, and the forecast."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import settings, sql
from relay.fiscal import Quarter, quarter_range
from relay.metrics import safe_ratio
from relay.planning import MIN_COHORT, lookback_window
from relay.views.actuals import figures_for, quarter_actuals, so_far_before
from relay.views.common import Filters, View

TREND_QUARTERS = 8
OPEN_CATEGORIES = ("pipeline", "best_case", "commit")


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date) -> View:
    view = View("overview", filters, as_of)
    targets = _targets(cursor, filters)
    actual = figures_for(quarter_actuals(cursor, filters.quarter, as_of), filters.region,
                         filters.segment)

    target = targets.get("revenue")
    closed_won = actual["closed_won"]
    remaining = None if target is None else max(target - closed_won, 0.0)
    view.add("revenue_target", target)
    view.add("closed_won", closed_won)
    view.add("attainment", safe_ratio(closed_won, target))
    view.add("quarter_elapsed", filters.quarter.elapsed_share(as_of))
    view.add("remaining_target", remaining)

    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    rollup = sql.row(cursor, "forecast_rollup", quarter=str(filters.quarter), cutoff=cutoff,
                     region=filters.region, segment=filters.segment)
    view.add("submitters", rollup["submitters"])
    view.add("commit", rollup["commit_amount"])
    view.add("best_case", rollup["best_case_amount"])
    if not rollup["submitters"]:
        view.notes.append(
            f"No rep has submitted a forecast for {filters.quarter} by {as_of:%d %b %Y}; "
            "the model forecast stands alone."
        )

    by_category, win_rates = _weighted_pipeline(cursor, filters, as_of)
    open_pipeline = float(by_category["amount"].sum())
    unweighted = win_rates.loc[win_rates["closed"] == 0, "forecast_category"].tolist()
    if unweighted:
        view.notes.append(
            f"No deal closed in the look-back window after being in {', '.join(unweighted)}: "
            "those open deals are weighted at 0% in the model forecast."
        )
    weighted = float(by_category["weighted_amount"].sum())
    view.add("open_pipeline", open_pipeline)
    view.add("weighted_pipeline", weighted)
    view.add("model_forecast", closed_won + weighted)
    view.add("pipeline_coverage", safe_ratio(open_pipeline, remaining))

    view.add("mqls", actual["mqls"])
    view.add("mql_target", targets.get("mqls"))
    view.add("sqls", actual["sqls"])
    view.add("sql_target", targets.get("sqls"))

    sourced = sql.row(cursor, "sourced_pipeline_and_revenue", starts_on=filters.quarter.start,
                      so_far_before=so_far_before(filters.quarter, as_of),
                      region=filters.region, segment=filters.segment)
    view.add("pipeline_created", actual["pipeline_created"])
    view.add("marketing_sourced_pipeline_share",
             safe_ratio(sourced["marketing_pipeline"], actual["pipeline_created"]))
    view.add("marketing_sourced_revenue_share",
             safe_ratio(sourced["marketing_revenue"], closed_won))

    if target is None:
        view.notes.append(f"No revenue goal is set for {filters.describe()}.")
    view.tables["trend"] = _trend(cursor, filters, as_of)
    view.tables["weighted_pipeline"] = by_category.merge(win_rates, on="forecast_category")
    return view


def _targets(cursor, filters: Filters, quarter: Quarter | None = None) -> dict[str, float]:
    goals = sql.records(cursor, "goals_for_breakdown", quarter=str(quarter or filters.quarter),
                        region=filters.region, segment=filters.segment)
    return {goal["metric"]: goal["target"] for goal in goals}


def _trend(cursor, filters: Filters, as_of: dt.date) -> pd.DataFrame:
    """Target and closed-won for the selected quarter and the seven before it, oldest first."""
    rows = []
    for quarter in quarter_range(filters.quarter.shift(1 - TREND_QUARTERS), filters.quarter):
        actual = figures_for(quarter_actuals(cursor, quarter, as_of, with_leads=False),
                             filters.region, filters.segment)
        rows.append({
            "quarter": str(quarter),
            "revenue_target": _targets(cursor, filters, quarter).get("revenue"),
            "closed_won": actual["closed_won"],
        })
    return pd.DataFrame(rows)


def _weighted_pipeline(cursor, filters: Filters, as_of: dt.date):
    first, last = lookback_window(filters.quarter, as_of,
                                  settings.load(cursor).lookback_quarters)
    window = {"starts_on": first.start, "ends_before": last.end}
    own = sql.frame(cursor, "win_rate_by_category", **window,
                    region=filters.region, segment=filters.segment).set_index("forecast_category")
    company = sql.frame(cursor, "win_rate_by_category", **window,
                        region=None, segment=None).set_index("forecast_category")
    rates = []
    for category in OPEN_CATEGORIES:
        source, rates_from = own, filters.scope()
        if _count(own, "closed", category) < MIN_COHORT:
            source, rates_from = company, "company-wide"
        won, closed = _count(source, "won", category), _count(source, "closed", category)
        rates.append({
            "forecast_category": category,
            "won": won,
            "closed": closed,
            "win_rate": safe_ratio(won, closed) or 0.0,
            "rate_from": f"{rates_from}, {first}–{last}",
        })
    win_rates = pd.DataFrame(rates)
    pipeline = sql.frame(cursor, "open_pipeline_by_category", **filters.bounds())
    by_category = (
        pd.DataFrame({"forecast_category": OPEN_CATEGORIES})
        .merge(pipeline, on="forecast_category", how="left")
        .fillna({"deals": 0, "amount": 0.0})
        .astype({"deals": int, "amount": float})
    )
    by_category["weighted_amount"] = by_category["amount"] * by_category["forecast_category"].map(
        win_rates.set_index("forecast_category")["win_rate"]
    )
    return by_category, win_rates


def _count(counts: pd.DataFrame, column: str, category: str) -> int:
    return int(counts[column].get(category, 0)) if len(counts) else 0
