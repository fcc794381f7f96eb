"""Every figure the dashboard shows: its label, unit and definition, in one place.

The wording follows DESIGN.md's metric definitions; pages show it as the figure's hover help
and the CLI prints it beside the value.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    label: str
    unit: str  # currency | percent | count | ratio | text
    definition: str


METRICS: dict[str, Metric] = {
    "revenue_target": Metric(
        "Revenue target", "currency",
        "The quarter's revenue goal for this breakdown (company-wide when no region or segment "
        "is chosen). Regional goals are set on their own and need not add up to it.",
    ),
    "closed_won": Metric(
        "Closed-won", "currency",
        "Sum of deal amounts with status won and close date in the quarter.",
    ),
    "attainment": Metric(
        "Attainment", "percent", "Closed-won ÷ revenue target.",
    ),
    "quarter_elapsed": Metric(
        "Quarter gone", "percent",
        "Share of the quarter's days that have passed by the as-of date: the attainment a "
        "linear quarter would have reached by now.",
    ),
    "remaining_target": Metric(
        "Still to close", "currency", "Revenue target − closed-won (never below zero).",
    ),
    "commit": Metric(
        "Commit (reps)", "currency",
        "Sum of each rep's last commit submitted for the quarter before the cut-off. Managers' "
        "own calls are left out so that no team is counted twice.",
    ),
    "best_case": Metric(
        "Best case (reps)", "currency",
        "Sum of each rep's last best-case figure submitted for the quarter before the cut-off.",
    ),
    "submitters": Metric(
        "Reps who submitted", "count",
        "Reps with at least one forecast submission for the quarter before the cut-off.",
    ),
    "open_pipeline": Metric(
        "Open pipeline", "currency",
        "Open deals with close date in the quarter, excluding those the rep marked omitted.",
    ),
    "weighted_pipeline": Metric(
        "Weighted pipeline", "currency",
        "Each open deal closing in the quarter × the historical win rate of its forecast "
        "category (table below): of deals that closed in the four quarters before, and were "
        "in that category at some point, the share won.",
    ),
    "model_forecast": Metric(
        "Model forecast", "currency", "Closed-won so far + weighted pipeline.",
    ),
    "pipeline_coverage": Metric(
        "Pipeline coverage", "ratio",
        "Open pipeline ÷ (revenue target − closed-won). Empty once the target is met.",
    ),
    "mqls": Metric("MQLs", "count", "Leads whose MQL date falls in the quarter."),
    "mql_target": Metric("MQL goal", "count", "The quarter's MQL goal for this breakdown."),
    "sqls": Metric("SQLs", "count", "Leads whose SQL date falls in the quarter."),
    "sql_target": Metric("SQL goal", "count", "The quarter's SQL goal for this breakdown."),
    "pipeline_created": Metric(
        "Pipeline created", "currency",
        "Sum of amounts of deals created in the quarter; open deals marked omitted excluded "
        "(lost deals count: they were pipeline when created).",
    ),
    "marketing_sourced_pipeline_share": Metric(
        "Marketing-sourced pipeline", "percent",
        "Pipeline created from deals whose lead came from a campaign ÷ all pipeline created.",
    ),
    "marketing_sourced_revenue_share": Metric(
        "Marketing-sourced revenue", "percent",
        "Closed-won revenue from deals whose lead came from a campaign ÷ all closed-won.",
    ),
}


def safe_ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator, or None when it is not defined (no or zero denominator)."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator
