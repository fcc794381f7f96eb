"""Rep strengths: each rep's conversion of their MQLs by campaign channel and by lead
source (MQL → SQL → won), so marketing can plan campaigns around what the team sells best
and the planning meeting can see where leads should go."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import holdings, settings, sql
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.metrics import safe_ratio
from relay.views.common import NoteKind, View
from relay.views.funnel import MIN_SIGNIFICANT


def window(as_of: dt.date, start_month: int, lookback_quarters: int) -> tuple[dt.date, dt.date]:
    """(first day, day after the last): the closed quarters of the look-back."""
    current = Quarter.containing(as_of, start_month)
    return current.shift(-lookback_quarters).start, current.start


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
          reps: tuple[str, ...] = ()) -> View:
    """Conversion of the MQLs of the look-back window, per rep (only `reps` when given), in
    the sidebar's region and segment."""
    view = View("strengths", filters, as_of, holdings=holdings.of(cursor))
    config = settings.load(cursor)
    starts_on, ends_before = window(as_of, config.fiscal_year_start_month,
                                    config.lookback_quarters)
    rows = sql.frame(cursor, "rep_strengths", region=filters.region, segment=filters.segment,
                     starts_on=starts_on, ends_before=ends_before,
                     until=as_of + dt.timedelta(days=1))
    if reps:
        rows = rows[rows["person_id"].isin(reps)]
    rows = rows.reset_index(drop=True)
    if view.holdings.has(holdings.Need.SQL_DATES):
        rows["mql_to_sql"] = _ratios(rows["sqls"], rows["mqls"])
    else:  # no lead has an SQL date: how many reached SQL is unknown, not none (a dash)
        rows["sqls"] = pd.Series([None] * len(rows), dtype="Int64")
        rows["mql_to_sql"] = pd.Series([None] * len(rows), dtype="Float64")
    rows["mql_to_won"] = _ratios(rows["won"], rows["mqls"])
    rows["significant"] = rows["mqls"] >= MIN_SIGNIFICANT
    for dimension in ("channel", "source"):
        view.tables[f"by_{dimension}"] = (rows[rows["dimension"] == dimension]
                                          .drop(columns=["dimension"]).reset_index(drop=True))
    view.tables["window"] = pd.DataFrame([{"starts_on": starts_on,
                                           "ends_before": ends_before}])
    channel_rows = view.tables["by_channel"]
    mqls, sqls, won = (int(channel_rows[column].sum()) for column in ("mqls", "sqls", "won"))
    view.add("strength_mqls", mqls)
    nothing = (f"No rep-owned MQLs from {starts_on:%d %b %Y} to "
               f"{ends_before - dt.timedelta(days=1):%d %b %Y} in {filters.scope()}")
    view.add("strength_mql_to_sql", safe_ratio(sqls, mqls), why=nothing)
    view.add("strength_mql_to_won", safe_ratio(won, mqls), why=nothing)
    view.note(f"MQLs from {starts_on:%d %b %Y} to {ends_before - dt.timedelta(days=1):%d %b %Y}"
              f" (the last {config.lookback_quarters} closed quarters), {filters.scope()}.",
              NoteKind.SCOPE)
    if (~rows["significant"]).any():
        view.note(f"Rows with fewer than {MIN_SIGNIFICANT} MQLs are marked: too few to tell a "
                  "strength from chance.")
    return view


def _ratios(numerators: pd.Series, denominators: pd.Series) -> list[float | None]:
    # From plain lists: tens of thousands of rows at scale, too many to step through as rows.
    return [safe_ratio(numerator, denominator) for numerator, denominator
            in zip(numerators.tolist(), denominators.tolist(), strict=True)]
