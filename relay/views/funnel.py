"""The demand funnel: how many leads reached each stage in the quarter, and how each cohort
converted, against the previous quarter and the four before it."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import holdings, sql
from relay.actuals import FUNNEL_STEPS as STEPS
from relay.actuals import so_far_before
from relay.filters import Filters
from relay.fiscal import Phase, Quarter, quarter_range
from relay.holdings import Need
from relay.metrics import METRICS, safe_ratio
from relay.views.common import NoteKind, View

# Below this many leads a cohort's rate is noise: shown, but marked not significant.
MIN_SIGNIFICANT = 20
HISTORY_QUARTERS = 8
STAGES = [("inquiries", "Inquiries"), ("mqls", "MQLs"), ("sals", "SALs"), ("sqls", "SQLs"),
          ("opportunities", "Opportunities"), ("won", "Won")]
MQL_OUTCOMES = ("to_sql", "to_opportunity", "to_won")
# (over_time column, the stage it reaches, the count of MQLs that reached it)
OUTCOMES = [("to_sal", "sals", "mqls_went_on"), ("to_sql", "sqls", "mqls_to_sql"),
            ("to_opportunity", "opportunities", "mqls_to_opportunity"),
            ("to_won", "won", "mqls_to_won")]
OVER_TIME = [("to_sal", "MQL → SAL"), ("to_sql", "MQL → SQL"),
             ("to_opportunity", "MQL → opportunity"), ("to_won", "MQL → won")]
# (key, label, the stage whose cohort converts to the next)


def _quarter_index(quarter: Quarter) -> int:
    return quarter.fiscal_year * 4 + quarter.number - 1


class _Events:
    """funnel_by_quarter's rows, looked up by quarter and breakdown."""

    def __init__(self, events: pd.DataFrame):
        # Plain dicts, not a frame per group: the page looks up about 120 breakdowns, and
        # pandas' indexing cost more than the query at 10M leads.
        self._rows: dict[tuple, dict[str, dict]] = {}
        for row in events.to_dict("records"):
            key = (row["quarter_index"], row["dimension"], row["value"])
            self._rows.setdefault(key, {})[row["stage"]] = row

    def counts(self, quarter: Quarter, dimension: str = "all",
               value: str = "All") -> dict[str, int]:
        """reached / went_on per stage for one quarter and breakdown (zeros where none)."""
        rows = self._rows.get((_quarter_index(quarter), dimension, value), {})
        counts = {}
        for stage, _ in STAGES:
            found = rows.get(stage)
            counts[stage] = int(found["reached"]) if found else 0
            counts[f"{stage}_went_on"] = int(found["went_on"]) if found else 0
        mqls = rows.get("mqls")
        for outcome in MQL_OUTCOMES:
            counts[f"mqls_{outcome}"] = int(mqls[outcome]) if mqls else 0
        return counts


def _rate_rows(counts: dict[str, int], previous: dict[str, int] | None = None,
               trailing: list[dict[str, int]] | None = None,
               unrecorded: dict[str, str] | None = None) -> list[dict]:
    """One row per step. A step into or out of a stage the leads record no dates for has
    no rate (nor a conversion count): unknown, a dash, never 0%. A rate over nobody is a dash
    too; only a known rate is marked significant or not."""
    unrecorded = unrecorded or {}
    rows = []
    for (key, label, stage), (next_stage, _) in zip(STEPS, STAGES[1:], strict=True):
        cohort, converted = counts[stage], counts[f"{stage}_went_on"]
        if stage in unrecorded or next_stage in unrecorded:
            rows.append({"step": key, "label": label,
                         "cohort": None if stage in unrecorded else cohort,
                         "converted": None, "rate": None, "significant": None,
                         "previous_rate": None, "trailing_rate": None})
            continue
        rate = safe_ratio(converted, cohort)
        row = {"step": key, "label": label, "cohort": cohort, "converted": converted,
               "rate": rate, "significant": None if rate is None else cohort >= MIN_SIGNIFICANT}
        if previous is not None:
            row["previous_rate"] = safe_ratio(previous[f"{stage}_went_on"], previous[stage])
        if trailing is not None:
            # Pooled: all four quarters' conversions over all four quarters' cohorts.
            row["trailing_rate"] = safe_ratio(sum(t[f"{stage}_went_on"] for t in trailing),
                                              sum(t[stage] for t in trailing))
        rows.append(row)
    return rows


def unrecorded_stages(held: holdings.Holdings) -> dict[str, str]:
    """{stage: why it can't be counted} for the stages the store records nothing of (what
    each stage's figure needs, relay.holdings): its count, and every rate into or out of it,
    are unknown."""
    why = {}
    for stage, _ in STAGES:
        lacking = held.lacking(METRICS[f"funnel_{stage}"].needs)
        if lacking is not None:
            why[stage] = holdings.why_unknown(lacking)
    return why


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date) -> View:
    view = View("funnel", filters, as_of, holdings=holdings.of(cursor))
    phase = filters.quarter.phase(as_of)
    unrecorded = never_recorded = unrecorded_stages(view.holdings)
    if phase is Phase.FUTURE:
        # Nothing has happened in it: every stage, as if the store recorded none of it.
        unrecorded = dict.fromkeys((key for key, _ in STAGES),
                                   f"{filters.quarter} has not started.")
    quarters = quarter_range(filters.quarter.shift(1 - HISTORY_QUARTERS), filters.quarter)
    frame = sql.frame(
        cursor, "funnel_by_month", first=quarters[0].start,
        before=so_far_before(filters.quarter, as_of),
        region=filters.region, segment=filters.segment,
        start_month=filters.quarter.start_month,
    )
    events = _Events(frame)
    by_quarter = {str(q): events.counts(q) for q in quarters}
    this = by_quarter[str(filters.quarter)]
    previous = by_quarter[str(filters.quarter.shift(-1))]
    trailing = [by_quarter[str(filters.quarter.shift(-i))] for i in range(1, 5)]

    view.tables["stages"] = pd.DataFrame([
        {"stage": key, "label": label, "count": None if key in unrecorded else this[key],
         "previous_quarter": None if key in never_recorded else previous[key],
         "trailing_average": (None if key in never_recorded
                              else sum(t[key] for t in trailing) / len(trailing))}
        for key, label in STAGES
    ])
    view.tables["conversion"] = pd.DataFrame(_rate_rows(this, previous, trailing, unrecorded))
    now = frame[(frame["quarter_index"] == _quarter_index(filters.quarter))
                & (frame["dimension"] != "all")][["dimension", "value"]].drop_duplicates()
    view.tables["breakdown"] = pd.DataFrame([
        {"dimension": dimension, "value": value, **rate}
        for dimension, value in sorted(now.itertuples(index=False))
        for rate in _rate_rows(
            events.counts(filters.quarter, dimension, value),
            events.counts(filters.quarter.shift(-1), dimension, value),
            [events.counts(filters.quarter.shift(-i), dimension, value) for i in range(1, 5)],
            unrecorded,
        )
    ], columns=["dimension", "value", "step", "label", "cohort", "converted", "rate",
                "significant", "previous_rate", "trailing_rate"])
    # Each quarter's MQLs: the share that became SALs, SQLs, opportunities and wins so far.
    # A quarter that has not started has no MQLs to follow: it is left out.
    # A past quarter's rates are masked only for stages the store never records: the chosen
    # quarter not having started says nothing of theirs.
    view.tables["over_time"] = pd.DataFrame([
        {"quarter": quarter, "mqls": counts["mqls"],
         "significant": counts["mqls"] >= MIN_SIGNIFICANT,
         **{outcome: None if never_recorded.keys() & {"mqls", stage}
            else safe_ratio(counts[column], counts["mqls"])
            for outcome, stage, column in OUTCOMES}}
        for quarter, counts in by_quarter.items()
        if Quarter.parse(quarter, filters.quarter.start_month).phase(as_of) is not Phase.FUTURE
    ], columns=["quarter", "mqls", "significant", *(outcome for outcome, _, _ in OUTCOMES)])
    for key, _ in STAGES:
        if phase is Phase.FUTURE:
            view.not_applicable(f"funnel_{key}", unrecorded[key])
        else:
            view.add(f"funnel_{key}", None if key in unrecorded else this[key],
                     unrecorded.get(key, ""))
    if phase is Phase.FUTURE:
        view.note(f"{filters.quarter} has not started: no lead has reached a stage in it yet.",
                  NoteKind.NOTHING)
        view.tables["data_quality"] = pd.DataFrame([dict.fromkeys(QUALITY_LABELS, 0)])
        return view
    if phase is Phase.CURRENT:
        view.note(f"{filters.quarter} is under way: counts so far, up to "
                  f"{as_of:%d %b %Y}.", NoteKind.SCOPE)
    quality = sql.row(cursor, "lead_data_quality", starts_on=filters.quarter.start,
                      ends_before=so_far_before(filters.quarter, as_of),
                      region=filters.region, segment=filters.segment)
    view.tables["data_quality"] = pd.DataFrame([quality])
    if not view.holdings.has(Need.FIRST_TOUCH):
        # The missing touch dates are the speed figures' reason already, not a quality
        # problem of some leads.
        quality = {k: v for k, v in quality.items() if k not in TOUCH_QUALITY}
    affected = {k: v for k, v in quality.items() if v}
    if affected:
        view.note(data_quality_note(affected))
    conversion = view.tables["conversion"]
    thin = conversion.loc[conversion["significant"].eq(False), "label"]
    if len(thin):
        view.note(f"Fewer than {MIN_SIGNIFICANT} leads behind {', '.join(thin)}: "
                  "those rates are not significant.")
    return view


QUALITY_LABELS = {
    "sal_before_mql": "accepted (SAL) before they became MQLs",
    "sql_before_sal": "qualified (SQL) before they were accepted",
    "touch_before_mql": "first touched before they became MQLs",
    "missing_timestamps": "at a stage with its date missing",
    "moved_on_untouched": "accepted or further with no first touch recorded",
}
TOUCH_QUALITY = ("touch_before_mql", "moved_on_untouched")


def data_quality_note(affected: dict[str, int]) -> str:
    parts = [f"{count:,} {QUALITY_LABELS[key]}" for key, count in affected.items()]
    return ("Data quality: of this quarter's leads, " + "; ".join(parts) + ". They are counted "
            "as their dates say (speed to lead at least zero), not dropped.")
