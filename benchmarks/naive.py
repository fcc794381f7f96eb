"""The naive reference the benchmark measures the pages against: the same headline figures
computed the common way, by loading whole tables into pandas on every page run and
filtering there. The app never uses this; the benchmark also checks that these figures
equal the page's, so the comparison is between two ways of getting the same answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import pandas as pd

from relay.actuals import goal_actual, so_far_before
from relay.filters import Filters
from relay.views.common import View
from relay.views.meeting import closed_before

Tables = dict[str, pd.DataFrame]


def load(connection: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """A whole table as a DataFrame, as a dashboard that keeps its data in pandas loads it."""
    return connection.execute(f"select * from {table}").df()  # noqa: S608 (a known table name)


def _scoped(frame: pd.DataFrame, chosen: Filters) -> pd.DataFrame:
    """The rows of the chosen region and segment (None: all of them)."""
    if chosen.region is not None:
        frame = frame[frame["region"] == chosen.region]
    if chosen.segment is not None:
        frame = frame[frame["segment"] == chosen.segment]
    return frame


def _so_far(chosen: Filters, as_of: dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
    quarter = chosen.quarter
    return pd.Timestamp(quarter.start), pd.Timestamp(so_far_before(quarter, as_of))


def _aimed_at(rows: pd.DataFrame, chosen) -> pd.Series:
    """Campaigns aimed at the chosen region and segment; one for all of them (null) is
    aimed at every one."""
    aimed = pd.Series(True, index=rows.index)
    for column in ("region", "segment"):
        wanted = getattr(chosen, column)
        if wanted is not None:
            aimed &= rows[column].isna() | (rows[column] == wanted)
    return aimed


def _between(column: pd.Series, bounds: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    return (column >= bounds[0]) & (column < bounds[1])


def shown(view: View, key: str) -> float | list[float | None] | None:
    """What the page shows under a figure key, or under 'table.column' a table's column
    (None where a row shows no figure)."""
    if "." in key:
        table, column = key.split(".")
        return [None if pd.isna(value) else float(value) for value in view.tables[table][column]]
    return view.value(key)


def _deal_figures(tables: Tables, chosen: Filters, as_of: dt.date) -> dict[str, float]:
    """The deal figures of the chosen quarter so far, region and segment (deal_actuals.sql)."""
    deals = _scoped(tables["deals"], chosen)
    bounds = _so_far(chosen, as_of)
    closed = _between(pd.to_datetime(deals["close_date"]), bounds)
    won, lost = closed & (deals["status"] == "won"), closed & (deals["status"] == "lost")
    created = _between(deals["created_at"], bounds)
    omitted = (deals["status"] == "open") & (deals["forecast_category"] == "omitted")
    return {
        "closed_won": float(deals.loc[won, "amount"].sum()),
        "won_deals": float(won.sum()),
        "lost_deals": float(lost.sum()),
        "pipeline_closed": float(deals.loc[won | lost, "amount"].sum()),
        "pipeline_created": float(deals.loc[created & ~omitted, "amount"].sum()),
    }


def _lead_counts(tables: Tables, chosen: Filters, as_of: dt.date) -> dict[str, float]:
    """MQLs, SALs and SQLs of the chosen quarter so far, region and segment (lead_actuals.sql)."""
    leads = _scoped(tables["leads"], chosen)
    bounds = _so_far(chosen, as_of)
    return {stage: float(_between(leads[f"{stage[:-1]}_at"], bounds).sum())
            for stage in ("mqls", "sals", "sqls")}


def overview(tables: Tables, view: View) -> dict[str, float]:
    deals = _deal_figures(tables, view.filters, view.as_of)
    counts = _lead_counts(tables, view.filters, view.as_of)
    return {"closed_won": deals["closed_won"], "pipeline_created": deals["pipeline_created"],
            "mqls": counts["mqls"], "sqls": counts["sqls"]}


def forecast(tables: Tables, view: View) -> dict[str, float | list[float]]:
    """Closed-won and open pipeline now, and closed-won as recorded at the end of every
    week of the quarter: each deal's latest state before then, from its history."""
    deals = _scoped(tables["deals"], view.filters)
    quarter = view.filters.quarter
    starts, ends = pd.Timestamp(quarter.start), pd.Timestamp(quarter.end)
    due = _between(pd.to_datetime(deals["close_date"]), (starts, ends))
    open_now = due & (deals["status"] == "open") & (deals["forecast_category"] != "omitted")
    history = tables["deal_history"]
    history = history[history["deal_id"].isin(deals["deal_id"])]
    last_change = history.groupby("deal_id")["changed_at"].max()
    current = deals.assign(changed_at=pd.concat([
        deals["created_at"], deals["deal_id"].map(last_change),
        pd.to_datetime(deals["close_date"]).where(deals["status"] != "open"),
    ], axis=1).max(axis=1))
    columns = ["deal_id", "changed_at", "amount", "status", "close_date"]
    states = pd.concat([history[columns], current[columns]], ignore_index=True)
    states = states.sort_values(["deal_id", "changed_at"], kind="stable")
    weekly = []
    for row in view.tables["weekly"].itertuples():
        moment = pd.Timestamp(row.week_ending) + pd.Timedelta(days=1)
        then = states[states["changed_at"] < moment].groupby("deal_id").last()
        closes = pd.to_datetime(then["close_date"])
        won = (then["status"] == "won") & (closes >= starts) & (closes < moment)
        weekly.append(float(then.loc[won, "amount"].sum()))
    return {"closed_won": _deal_figures(tables, view.filters, view.as_of)["closed_won"],
            "open_pipeline": float(deals.loc[open_now, "amount"].sum()),
            "weekly.closed_won": weekly}


def goals(tables: Tables, view: View) -> dict[str, float]:
    goal_rows = _scoped(tables["goals"], view.filters)
    return {"goals_total": float((goal_rows["quarter"] == str(view.filters.quarter)).sum())}


def funnel(tables: Tables, view: View) -> dict[str, float]:
    counts = _lead_counts(tables, view.filters, view.as_of)
    leads = _scoped(tables["leads"], view.filters)
    inquiries = float(_between(leads["created_at"], _so_far(view.filters, view.as_of)).sum())
    return {"funnel_inquiries": inquiries, "funnel_mqls": counts["mqls"],
            "funnel_sals": counts["sals"], "funnel_sqls": counts["sqls"]}


def sla(tables: Tables, view: View) -> dict[str, float]:
    leads = _scoped(tables["leads"], view.filters)
    mqls = leads[_between(leads["mql_at"], _so_far(view.filters, view.as_of))]
    return {"mqls_in_period": float(len(mqls))}


def campaigns(tables: Tables, view: View) -> dict[str, float]:
    chosen = view.filters
    rows = tables["campaigns"]
    quarter = chosen.quarter
    running = ((pd.to_datetime(rows["start_date"]) < pd.Timestamp(quarter.end))
               & (pd.to_datetime(rows["end_date"]) >= pd.Timestamp(quarter.start))
               & _aimed_at(rows, chosen))
    return {"campaigns_run": float(running.sum())}


def calendar(tables: Tables, view: View) -> dict[str, float]:
    chosen = view.filters
    rows = tables["campaigns"]
    shown = ((pd.to_datetime(rows["start_date"]) <= pd.Timestamp(chosen.ends_on))
             & (pd.to_datetime(rows["end_date"]) >= pd.Timestamp(chosen.starts_on))
             & _aimed_at(rows, chosen))
    for column, wanted in (("channel", chosen.channels), ("status", chosen.statuses),
                           ("owner_id", chosen.owners)):
        if wanted:
            shown &= rows[column].isin(list(wanted))
    return {"campaigns_in_view": float(shown.sum())}


def planner(tables: Tables, view: View) -> dict[str, float]:
    chosen = view.filters
    goal_rows = tables["goals"]
    revenue = goal_rows[(goal_rows["quarter"] == str(chosen.quarter))
                        & (goal_rows["metric"] == "revenue")]
    for column in ("region", "segment"):
        wanted = getattr(chosen, column)
        revenue = revenue[revenue[column].isna() if wanted is None else
                          revenue[column] == wanted]
    target = float(revenue["target"].iloc[0]) if len(revenue) else None
    return {"revenue_target": target} if target is not None else {}


def week(tables: Tables, view: View | None) -> dict[str, float]:
    """The rep's MQLs, of any quarter up to the as-of day, still untouched and older than
    the SLA."""
    if view is None or "rep" not in view.tables:
        return {}
    rep = view.tables["rep"]["person_id"].iloc[0]
    now = min(pd.Timestamp.now(), pd.Timestamp(view.as_of) + pd.Timedelta(days=1))
    leads = tables["leads"]
    _, so_far = _so_far(view.filters, view.as_of)
    waiting = leads[(leads["owner_id"] == rep) & (leads["stage"] == "mql")
                    & (leads["mql_at"] < so_far)
                    & (leads["mql_at"] <= now)
                    & (leads["first_touch_at"].isna() | (leads["first_touch_at"] >= now))]
    age_hours = (now - waiting["mql_at"]).dt.total_seconds() / 3600
    return {"my_waiting_past_sla": float((age_hours > view.value("sla_hours")).sum())}


def _quarter_goals(tables: Tables, quarter: str) -> pd.DataFrame:
    """A quarter's goals (every breakdown), in the order the goals page lists them."""
    rows = tables["goals"]
    return rows[rows["quarter"] == quarter].sort_values(
        ["owner_team", "metric", "region", "segment"], na_position="first")


def meeting(tables: Tables, view: View) -> dict[str, list[float | None]]:
    """The review of the last closed quarter, each goal's actual from the deals and leads of
    its region and segment (None for a metric with no definition), and the planned quarter's
    goals, as the meeting agrees them."""
    reviewed = closed_before(view.filters.quarter, view.as_of)
    figures: dict[tuple, dict[str, float]] = {}
    actuals = []
    for goal in _quarter_goals(tables, str(reviewed)).itertuples():
        breakdown = tuple(None if pd.isna(part) else part for part in (goal.region, goal.segment))
        if breakdown not in figures:
            chosen = Filters(reviewed, *breakdown)
            figures[breakdown] = {**_deal_figures(tables, chosen, view.as_of),
                                  **_lead_counts(tables, chosen, view.as_of)}
        actuals.append(goal_actual(figures[breakdown], goal.metric))
    planned = _quarter_goals(tables, str(view.filters.quarter))
    return {"review.actual": actuals,
            "goals.target": [float(target) for target in planned["target"]]}


def data(tables: Tables, view: View | None) -> dict[str, float]:
    return {f"{name}_rows": float(len(rows)) for name, rows in tables.items()}


Figures = dict[str, float | list[float]]
# Per page: the view whose figures are compared, the tables loaded, and the computation.
PAGES: dict[str, tuple[str | None, tuple[str, ...], Callable[[Tables, View | None], Figures]]] = {
    "overview": ("overview", ("deals", "leads", "goals"), overview),
    "forecast": ("forecast", ("deals", "deal_history", "forecast_submissions", "people",
                              "goals"), forecast),
    "goals": ("goals", ("goals", "deals", "leads"), goals),
    "funnel": ("funnel", ("leads", "deals"), funnel),
    "sla": ("sla", ("leads", "people"), sla),
    "week": ("week", ("leads", "people", "campaigns"), week),
    "campaigns": ("campaigns", ("campaigns", "leads", "deals"), campaigns),
    "calendar": ("calendar", ("campaigns", "leads"), calendar),
    "planner": ("plan", ("goals", "leads", "deals", "campaigns"), planner),
    "meeting": ("meeting", ("goals", "deals", "leads"), meeting),
    "data": (None, ("people", "campaigns", "leads", "deals", "goals", "forecast_submissions"),
             data),
}
