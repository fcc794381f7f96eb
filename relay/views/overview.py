"""The executive overview: the shared revenue target, where we stand, and the forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from relay import sql
from relay.actuals import (
    closed_won_by_quarter,
    figures_for,
    goal_targets,
    quarter_actuals,
    so_far_before,
)
from relay.filters import Filters
from relay.fiscal import Phase, quarter_range
from relay.metrics import safe_ratio
from relay.views import forecast
from relay.views.common import View

TREND_QUARTERS = 8


@dataclass(frozen=True)
class Actuals:
    """What the overview reads besides the goals: the forecast's pipeline part, the quarter's
    actuals, the campaign-sourced shares and the trend's closed-won (cached apart from the
    goals, which a planning meeting edits)."""

    call: forecast.PipelineCall
    actual: dict[str, float]
    sourced: dict
    # The trend's quarters, oldest first, with their closed-won (None: not started).
    trend: list[dict]


def actuals(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date) -> Actuals:
    quarter = filters.quarter
    trend = []
    trend_won = closed_won_by_quarter(
        cursor, quarter_range(quarter.shift(1 - TREND_QUARTERS), quarter), as_of,
        filters.region, filters.segment)
    for shown, won in trend_won.items():
        # A quarter not yet started has won nothing yet: no bar, not a $0 one.
        trend.append({"quarter": shown,
                      "closed_won": None if shown.phase(as_of) is Phase.FUTURE else won})
    return Actuals(
        call=forecast.pipeline(cursor, filters, as_of, weekly=False),
        actual=figures_for(quarter_actuals(cursor, quarter, as_of), filters.region,
                           filters.segment),
        sourced=sql.row(cursor, "sourced_pipeline_and_revenue", starts_on=quarter.start,
                        so_far_before=so_far_before(quarter, as_of),
                        region=filters.region, segment=filters.segment),
        trend=trend)


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
          read: Actuals | None = None) -> View:
    """The overview; `read`: its actuals when they are at hand (cached), else read here."""
    read = read or actuals(cursor, filters, as_of)
    # The forecast page's figures, so that both pages agree to the cent; what the store
    # holds is read once, by the forecast's view.
    call = forecast.current(cursor, filters, as_of, weekly=False, call=read.call)
    view = View("overview", filters, as_of, holdings=call.holdings)
    targets = goal_targets(cursor, filters.quarter, filters.region, filters.segment)
    actual, sourced = read.actual, read.sourced

    for key in ("revenue_target", "closed_won", "attainment", "quarter_elapsed",
                "remaining_target", "submitters", "commit", "best_case", "open_pipeline",
                "weighted_pipeline", "model_forecast", "pipeline_coverage",
                "past_due_pipeline", "past_due_deals"):
        view.figures[key] = call.figures[key]
    view.notes.extend(call.notes)

    quarter = filters.quarter
    view.add("mqls", actual["mqls"])
    view.add("mql_target", targets.get("mqls"),
             why=f"No MQL goal is set for {filters.describe()}.")
    view.add("sqls", actual["sqls"])
    view.add("sql_target", targets.get("sqls"),
             why=f"No SQL goal is set for {filters.describe()}.")
    view.add("pipeline_created", actual["pipeline_created"])
    view.add("marketing_sourced_pipeline_share",
             safe_ratio(sourced["marketing_pipeline"], actual["pipeline_created"]),
             why=f"No pipeline has been created in {quarter} by {as_of:%d %b %Y}.")
    view.add("marketing_sourced_revenue_share",
             safe_ratio(sourced["marketing_revenue"], actual["closed_won"]),
             why=f"Nothing has been won in {quarter} by {as_of:%d %b %Y}.")
    if quarter.phase(as_of) is Phase.FUTURE:
        not_started = f"{quarter} has not started: nothing has happened in it yet."
        for key in ("mqls", "sqls", "pipeline_created", "marketing_sourced_pipeline_share",
                    "marketing_sourced_revenue_share"):
            view.not_applicable(key, not_started)
    view.tables["trend"] = pd.DataFrame([
        {"quarter": str(row["quarter"]),
         "revenue_target": goal_targets(cursor, row["quarter"], filters.region,
                                        filters.segment).get("revenue"),
         "closed_won": row["closed_won"]} for row in read.trend])
    view.tables["weighted_pipeline"] = call.tables["weighted_pipeline"]
    return view
