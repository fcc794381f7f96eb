"""The executive overview: the shared revenue target, where we stand, and the forecast."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import sql
from relay.actuals import figures_for, goal_targets, quarter_actuals, so_far_before
from relay.filters import Filters
from relay.fiscal import Phase, quarter_range
from relay.metrics import safe_ratio
from relay.views import forecast
from relay.views.common import View

TREND_QUARTERS = 8


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date) -> View:
    # The forecast page's figures, so that both pages agree to the cent; what the store
    # holds is read once, by the forecast's view.
    call = forecast.current(cursor, filters, as_of, weekly=False)
    view = View("overview", filters, as_of, holdings=call.holdings)
    targets = goal_targets(cursor, filters.quarter, filters.region, filters.segment)
    actual = figures_for(quarter_actuals(cursor, filters.quarter, as_of), filters.region,
                         filters.segment)

    for key in ("revenue_target", "closed_won", "attainment", "quarter_elapsed",
                "remaining_target", "submitters", "commit", "best_case", "open_pipeline",
                "weighted_pipeline", "model_forecast", "pipeline_coverage",
                "past_due_pipeline", "past_due_deals"):
        view.figures[key] = call.figures[key]
    view.notes.extend(call.notes)

    quarter = filters.quarter
    sourced = sql.row(cursor, "sourced_pipeline_and_revenue", starts_on=quarter.start,
                      so_far_before=so_far_before(quarter, as_of),
                      region=filters.region, segment=filters.segment)
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
    view.tables["trend"] = _trend(cursor, filters, as_of)
    view.tables["weighted_pipeline"] = call.tables["weighted_pipeline"]
    return view


def _trend(cursor, filters: Filters, as_of: dt.date) -> pd.DataFrame:
    """Target and closed-won for the selected quarter and the seven before it, oldest first."""
    rows = []
    for quarter in quarter_range(filters.quarter.shift(1 - TREND_QUARTERS), filters.quarter):
        actual = figures_for(quarter_actuals(cursor, quarter, as_of, with_leads=False),
                             filters.region, filters.segment)
        rows.append({
            "quarter": str(quarter),
            "revenue_target": goal_targets(cursor, quarter, filters.region,
                                           filters.segment).get("revenue"),
            # A quarter not yet started has won nothing yet: no bar, not a $0 one.
            "closed_won": None if quarter.phase(as_of) is Phase.FUTURE
            else actual["closed_won"],
        })
    return pd.DataFrame(rows)
