"""The naive reference the benchmark measures the pages against: the same headline figures
computed the common way, by loading whole tables into pandas on every page run and
filtering there. The app never uses this; the benchmark also checks that these figures
equal the page's, so the comparison is between two ways of getting the same answer."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from relay.actuals import so_far_before
from relay.views.common import View

Tables = dict[str, pd.DataFrame]


def load(connection: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """A whole table as a DataFrame, as a dashboard that keeps its data in pandas loads it."""
    return connection.execute(f"select * from {table}").df()  # noqa: S608 (a known table name)


def _scoped(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    chosen = view.filters
    if chosen.region is not None:
        frame = frame[frame["region"] == chosen.region]
    if chosen.segment is not None:
        frame = frame[frame["segment"] == chosen.segment]
    return frame


def _so_far(view: View) -> tuple[pd.Timestamp, pd.Timestamp]:
    quarter = view.filters.quarter
    return pd.Timestamp(quarter.start), pd.Timestamp(so_far_before(quarter, view.as_of))


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


def shown(view: View, key: str) -> float | list[float] | None:
    """What the page shows under a figure key, or under 'table.column' a table's column."""
    if "." in key:
        table, column = key.split(".")
        return [float(value) for value in view.tables[table][column]]
    return view.value(key)


def _deal_figures(tables: Tables, view: View) -> dict[str, float]:
    deals = _scoped(tables["deals"], view)
    bounds = _so_far(view)
    closed = _between(pd.to_datetime(deals["close_date"]), bounds)
    created = _between(deals["created_at"], bounds)
    omitted = (deals["status"] == "open") & (deals["forecast_category"] == "omitted")
    return {
        "closed_won": float(deals.loc[closed & (deals["status"] == "won"), "amount"].sum()),
        "pipeline_created": float(deals.loc[created & ~omitted, "amount"].sum()),
    }


def _lead_counts(tables: Tables, view: View) -> dict[str, float]:
    leads = _scoped(tables["leads"], view)
    bounds = _so_far(view)
    return {stage: float(_between(leads[f"{stage[:-1]}_at"], bounds).sum())
            for stage in ("mqls", "sals", "sqls")}


def overview(tables: Tables, view: View) -> dict[str, float]:
    counts = _lead_counts(tables, view)
    return {**_deal_figures(tables, view), "mqls": counts["mqls"], "sqls": counts["sqls"]}


def forecast(tables: Tables, view: View) -> dict[str, float | list[float]]:
    """Closed-won and open pipeline now, and closed-won as recorded at the end of every
    week of the quarter: each deal's latest state before then, from its history."""
    deals = _scoped(tables["deals"], view)
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
    return {"closed_won": _deal_figures(tables, view)["closed_won"],
            "open_pipeline": float(deals.loc[open_now, "amount"].sum()),
            "weekly.closed_won": weekly}


def goals(tables: Tables, view: View) -> dict[str, float]:
    goal_rows = _scoped(tables["goals"], view)
    return {"goals_total": float((goal_rows["quarter"] == str(view.filters.quarter)).sum())}


def funnel(tables: Tables, view: View) -> dict[str, float]:
    counts = _lead_counts(tables, view)
    leads = _scoped(tables["leads"], view)
    inquiries = float(_between(leads["created_at"], _so_far(view)).sum())
    return {"funnel_inquiries": inquiries, "funnel_mqls": counts["mqls"],
            "funnel_sals": counts["sals"], "funnel_sqls": counts["sqls"]}


def sla(tables: Tables, view: View) -> dict[str, float]:
    leads = _scoped(tables["leads"], view)
    mqls = leads[_between(leads["mql_at"], _so_far(view))]
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
    _, so_far = _so_far(view)
    waiting = leads[(leads["owner_id"] == rep) & (leads["stage"] == "mql")
                    & (leads["mql_at"] < so_far)
                    & (leads["mql_at"] <= now)
                    & (leads["first_touch_at"].isna() | (leads["first_touch_at"] >= now))]
    age_hours = (now - waiting["mql_at"]).dt.total_seconds() / 3600
    return {"my_waiting_past_sla": float((age_hours > view.value("sla_hours")).sum())}


def meeting(tables: Tables, view: View) -> dict[str, list[float]]:
    """The planned quarter's goals (every breakdown, as the meeting agrees them), in the
    order the goals page lists them."""
    rows = tables["goals"]
    rows = rows[rows["quarter"] == str(view.filters.quarter)].sort_values(
        ["owner_team", "metric", "region", "segment"], na_position="first")
    return {"goals.target": [float(target) for target in rows["target"]]}


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
    "meeting": ("meeting", ("goals",), meeting),
    "data": (None, ("people", "campaigns", "leads", "deals", "goals", "forecast_submissions"),
             data),
}
