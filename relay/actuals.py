"""What actually happened in a quarter, for every region/segment breakdown at once.

Goals and pages read their figures from here so that revenue, pipeline created, MQLs, SALs,
SQLs and win rate are counted one way everywhere (docs/design.md, Metric definitions).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import sql
from relay.fiscal import Quarter
from relay.metrics import safe_ratio

Breakdown = tuple[str | None, str | None]  # (region, segment); None = all

DEAL_FIGURES = ("closed_won", "won_deals", "lost_deals", "pipeline_closed", "pipeline_created")
LEAD_FIGURES = ("mqls", "sals", "sqls")
# How each goal metric is measured. A stored goal with any other metric shows no actual.
GOAL_METRICS = {
    "revenue": "Closed-won revenue",
    "pipeline": "Pipeline created",
    # What the demand planner's "pipeline needed" (revenue ÷ win rate) asks for: deals worth
    # that much decided, won or lost, in the quarter. Not pipeline created (docs/design.md).
    "pipeline_closed": "Pipeline closed (won + lost)",
    "mqls": "MQLs",
    "sals": "SALs",
    "sqls": "SQLs",
    "win_rate": "Win rate",
}


# The funnel's conversion steps: (key, label, the stage whose cohort converts to the next).
FUNNEL_STEPS = [
    ("inquiry_to_mql", "Inquiry → MQL", "inquiries"),
    ("mql_to_sal", "MQL → SAL", "mqls"),
    ("sal_to_sql", "SAL → SQL", "sals"),
    ("sql_to_opportunity", "SQL → opportunity", "sqls"),
    ("opportunity_to_won", "Opportunity → won", "opportunities"),
]


def so_far_before(quarter: Quarter, as_of: dt.date) -> dt.date:
    """The exclusive end of what has happened in the quarter by the end of the as-of day."""
    return min(quarter.end, as_of + dt.timedelta(days=1))


def ages_until(as_of: dt.date) -> dt.datetime:
    """Where waiting times (speed to lead, open breaches) run to: this moment today, or the
    end of an earlier as-of day. The real moment, not clock.now(): a pinned RELAY_TODAY in
    the past is read as its whole day, whatever the time of day (nothing here is written, so
    it needs no stamp of the pinned day)."""
    return min(dt.datetime.now(), dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))


def quarter_actuals(
    cursor: duckdb.DuckDBPyConnection, quarter: Quarter, as_of: dt.date, with_leads: bool = True,
) -> dict[Breakdown, dict[str, float]]:
    """{(region, segment): {figure: value}} for the quarter as of the as-of day; absent
    breakdowns had nothing."""
    bounds = {"starts_on": quarter.start, "so_far_before": so_far_before(quarter, as_of)}
    actuals: dict[Breakdown, dict[str, float]] = {}
    sources = [("deal_actuals", DEAL_FIGURES)]
    if with_leads:
        sources.append(("lead_actuals", LEAD_FIGURES))
    for name, figures in sources:
        _add_actuals(cursor, name, figures, bounds, actuals)
    return actuals


def _add_actuals(cursor: duckdb.DuckDBPyConnection, name: str, figures: tuple[str, ...],
                 bounds: dict, actuals: dict[Breakdown, dict[str, float]]) -> None:
    for row in sql.frame(cursor, name, **bounds).to_dict(orient="records"):
        key = _breakdown(row)
        if key is not None:
            actuals.setdefault(key, {}).update({f: float(row[f]) for f in figures})


def goal_targets(cursor: duckdb.DuckDBPyConnection, quarter: Quarter, region: str | None,
                 segment: str | None) -> dict[str, float]:
    """{metric: target} of the goals set for exactly this quarter and breakdown."""
    goals = sql.records(cursor, "goals_for_breakdown", quarter=str(quarter), region=region,
                        segment=segment)
    return {goal["metric"]: goal["target"] for goal in goals}


def figures_for(actuals: dict[Breakdown, dict[str, float]], region: str | None,
                segment: str | None) -> dict[str, float]:
    """The figures of one breakdown, zeros where nothing happened."""
    empty = dict.fromkeys(DEAL_FIGURES + LEAD_FIGURES, 0.0)
    return {**empty, **actuals.get((region, segment), {})}


def goal_actual(figures: dict[str, float], metric: str) -> float | None:
    """The actual a goal metric is measured against; None for a metric with no definition."""
    if metric == "win_rate":
        return safe_ratio(figures["won_deals"], figures["won_deals"] + figures["lost_deals"])
    column = {"revenue": "closed_won", "pipeline": "pipeline_created",
              "pipeline_closed": "pipeline_closed", "mqls": "mqls",
              "sals": "sals", "sqls": "sqls"}.get(metric)
    return None if column is None else figures[column]


def _breakdown(row: dict) -> Breakdown | None:
    region = None if row["all_regions"] else row["region"]
    segment = None if row["all_segments"] else row["segment"]
    # Rows with no region (or segment) in the data cannot be a goal's breakdown.
    if (not row["all_regions"] and row["region"] is None) or (
        not row["all_segments"] and row["segment"] is None
    ):
        return None
    return region, segment


def quarters_deal_actuals(cursor: duckdb.DuckDBPyConnection, quarters: list[Quarter],
                          as_of: dt.date) -> dict[Quarter, dict[Breakdown, dict[str, float]]]:
    """quarter_actuals(..., with_leads=False) of several quarters, read in one scan of the
    deals (deal_actuals_by_quarter.sql) rather than one per quarter."""
    frame = sql.frame(cursor, "deal_actuals_by_quarter",
                      starts_on=[quarter.start for quarter in quarters],
                      so_far_before=[so_far_before(quarter, as_of) for quarter in quarters])
    by_start: dict[dt.date, dict[Breakdown, dict[str, float]]] = {
        quarter.start: {} for quarter in quarters}
    for row in frame.to_dict(orient="records"):
        key = _breakdown(row)
        if key is not None:
            by_start[pd.Timestamp(row["starts_on"]).date()].setdefault(key, {}).update(
                {f: float(row[f]) for f in DEAL_FIGURES})
    for actuals in by_start.values():
        # As the one-quarter query's company-wide row says of a quarter with no deals.
        actuals.setdefault((None, None), dict.fromkeys(DEAL_FIGURES, 0.0))
    return {quarter: by_start[quarter.start] for quarter in quarters}


def with_lead_actuals(cursor: duckdb.DuckDBPyConnection, quarter: Quarter, as_of: dt.date,
                      deal_actuals: dict[Breakdown, dict[str, float]]
                      ) -> dict[Breakdown, dict[str, float]]:
    """quarter_actuals of the quarter from its deal figures already read
    (quarters_deal_actuals): the lead figures are added to a copy."""
    actuals = {key: dict(figures) for key, figures in deal_actuals.items()}
    _add_actuals(cursor, "lead_actuals", LEAD_FIGURES,
                 {"starts_on": quarter.start, "so_far_before": so_far_before(quarter, as_of)},
                 actuals)
    return actuals
