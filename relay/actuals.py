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
    return _actuals(cursor, quarter.start, so_far_before(quarter, as_of), with_leads)


def window_actuals(cursor: duckdb.DuckDBPyConnection, first: Quarter, last: Quarter,
                   as_of: dt.date) -> dict[Breakdown, dict[str, float]]:
    """quarter_actuals summed over the quarters from `first` to `last`, in one read: the days
    each quarter counts (its start up to its so far) join end to end, so together they are the
    days from the first one's start up to the last one's so far."""
    return _actuals(cursor, first.start, so_far_before(last, as_of), True)


def _actuals(cursor: duckdb.DuckDBPyConnection, starts_on: dt.date, before: dt.date,
             with_leads: bool) -> dict[Breakdown, dict[str, float]]:
    bounds = {"starts_on": starts_on, "so_far_before": before}
    actuals: dict[Breakdown, dict[str, float]] = {}
    sources = [("deal_actuals", DEAL_FIGURES)]
    if with_leads:
        sources.append(("lead_actuals", LEAD_FIGURES))
    for name, figures in sources:
        for row in sql.frame(cursor, name, **bounds).to_dict(orient="records"):
            key = _breakdown(row)
            if key is not None:
                actuals.setdefault(key, {}).update({f: float(row[f]) for f in figures})
    return actuals


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



def closed_won_by_quarter(cursor: duckdb.DuckDBPyConnection, quarters: list[Quarter],
                          as_of: dt.date, region: str | None, segment: str | None
                          ) -> dict[Quarter, float]:
    """The closed-won of each quarter so far for one breakdown, as quarter_actuals counts it,
    read for all the quarters at once (closed_won_by_quarter.sql)."""
    frame = sql.frame(cursor, "closed_won_by_quarter",
                      starts_on=[quarter.start for quarter in quarters],
                      so_far_before=[so_far_before(quarter, as_of) for quarter in quarters],
                      region=region, segment=segment)
    won = {pd.Timestamp(start).date(): float(amount)
           for start, amount in zip(frame["starts_on"], frame["closed_won"], strict=True)}
    return {quarter: won.get(quarter.start, 0.0) for quarter in quarters}
