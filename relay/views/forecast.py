"""Forecast versus actual: will we make the number, how the call moved, and how good past
calls were (the reps' and the model's, judged the same way)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import forecasting as fc
from relay import holdings, settings, sql
from relay.actuals import goal_targets
from relay.filters import Filters
from relay.fiscal import Quarter, quarter_range
from relay.forecasting import Point
from relay.metrics import safe_ratio
from relay.views.common import NoteKind, View

ACCURACY_QUARTERS = 8
# The movements of a quarter's open pipeline, in the order a waterfall reads them.
MOVEMENTS = {
    "added": "Added (new deals)",
    "pulled_in": "Pulled in from a later quarter",
    "slipped_in": "Moved in from an earlier quarter",
    "restored": "Back in the forecast (was omitted)",
    "reopened": "Reopened",
    "amount_up": "Amount up",
    "amount_down": "Amount down",
    "won": "Won",
    "lost": "Lost",
    "slipped": "Slipped to a later quarter",
    "pulled_earlier": "Pulled into an earlier quarter",
    "omitted": "Omitted from the forecast",
    "unchanged": "Unchanged",
    # Entered and closed between the dates: no effect on the pipeline at either date.
    "won_unforecast": "Won without being in the pipeline at the start",
    "lost_unforecast": "Lost without being in the pipeline at the start",
}
FIGURES = ["commit", "best_case", "closed_won", "open_pipeline", "model_forecast"]


class ChangeRangeError(ValueError):
    """Dates for the pipeline changes that do not make a period."""


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
          changes_from: dt.date | None = None, changes_to: dt.date | None = None,
          cutoff_week: int | None = None) -> View:
    """Everything the forecast page shows, as one view (what `relay report forecast`
    prints)."""
    view = current(cursor, filters, as_of)
    for part in (movement(cursor, filters, as_of, changes_from, changes_to),
                 track_record(cursor, filters, as_of, cutoff_week)):
        view.figures.update(part.figures)
        view.tables.update(part.tables)
        view.notes.extend(part.notes)
        view.problems.extend(part.problems)
    return view


# -- This quarter ---------------------------------------------------------------------------

def current(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
            weekly: bool = True) -> View:
    """Target, closed-won, the reps' calls, the model's call, coverage and gap, with the
    roll-ups by rep, team and region, and (weekly) how the calls moved week by week."""
    view = View("forecast", filters, as_of, holdings=holdings.of(cursor))
    quarter, region, segment = filters.quarter, filters.region, filters.segment
    now = Point.as_of(quarter, as_of)
    weeks = _week_points(now) if weekly else []
    history = fc.PipelineHistory(cursor, weeks or [now], as_of,
                                 settings.load(cursor).lookback_quarters, region, segment)
    roster = fc.people(cursor)
    reps = fc.reps_in_scope(roster, region, segment)
    submissions = fc.submissions_for(cursor, [quarter])
    model = history.call(now)
    calls = fc.latest_calls(submissions, quarter, now.at)

    target = goal_targets(cursor, quarter, region, segment).get("revenue")
    remaining = None if target is None else max(target - model.closed_won, 0.0)
    submitters, commit, best_case = _reps_call(calls, reps)
    view.add("revenue_target", target)
    view.add("closed_won", model.closed_won)
    view.add("attainment", safe_ratio(model.closed_won, target))
    view.add("quarter_elapsed", quarter.elapsed_share(as_of))
    view.add("remaining_target", remaining)
    view.add("submitters", submitters)
    view.add("commit", commit)
    view.add("best_case", best_case)
    view.add("open_pipeline", model.open_amount)
    view.add("weighted_pipeline", model.weighted)
    view.add("model_forecast", model.forecast)
    view.add("pipeline_coverage", safe_ratio(model.open_amount, remaining))
    view.add("forecast_gap", None if target is None else target - model.forecast)
    view.add("commit_gap", None if target is None or commit is None else target - commit)

    by_rep = _rep_table(reps, calls, model.by_owner[["closed_won", "open_pipeline",
                                                     "model_forecast"]])
    view.add("reps_in_scope", len(by_rep))
    view.tables["by_rep"] = by_rep
    view.tables["by_team"] = _grouped(by_rep, "team", calls)
    view.tables["by_region"] = _grouped(by_rep, "region")
    view.tables["weighted_pipeline"] = model.by_category
    if weekly:
        view.tables["weekly"] = _weekly(weeks, history, submissions, reps, target)

    if target is None:
        view.note(f"No revenue goal is set for {filters.describe()}.")
    if not submitters:
        view.note(
            f"No rep of {filters.scope()} (by the rep's own region and segment) has submitted "
            f"a forecast for {quarter} by {as_of:%d %b %Y}: the model's call stands alone.")
    uncalibrated = model.uncalibrated()
    if uncalibrated:
        view.note(
            f"The look-back quarters had no open deals in {', '.join(uncalibrated)} at this "
            "point of the quarter: that pipeline is weighted at 0% in the model forecast.")
    unassigned = model.closed_won - float(by_rep["closed_won"].sum())
    unassigned_open = model.open_amount - float(by_rep["open_pipeline"].sum())
    if unassigned > 0.5 or unassigned_open > 0.5:
        view.note(
            f"{unassigned:,.0f} closed-won and {unassigned_open:,.0f} open pipeline belong to "
            "deals owned by managers or by people outside this breakdown: they count in the "
            "totals but in no rep's row.")
    unrecorded = sql.row(cursor, "deals_without_history", region=region, segment=segment)
    if unrecorded["without_history"]:
        view.note(
            f"{unrecorded['without_history']:,} of {unrecorded['deals']:,} deals have no "
            "recorded history: each is taken as open from its creation until it closed, in "
            "its current category (pipeline, once closed). Figures for past days, the "
            "model's rates and the pipeline changes are approximate for them.")
    return view


def _reps_call(calls: pd.DataFrame, reps: pd.DataFrame) -> tuple[int, float | None,
                                                                 float | None]:
    """(reps who called, their commit, their best case); no calls: no commit, not zero."""
    called = calls[calls["person_id"].isin(reps.index)]
    if not len(called):
        return 0, None, None
    return (len(called), float(called["commit_amount"].sum()),
            float(called["best_case_amount"].sum()))


def _week_points(now: Point) -> list[Point]:
    """The end of each week of the quarter up to the as-of day, which ends the last one."""
    points = [Point(now.quarter, days) for days in range(7, now.offset, 7)]
    return [*points, now] if now.offset > 0 else []


def _weekly(weeks: list[Point], history: fc.PipelineHistory, submissions: pd.DataFrame,
            reps: pd.DataFrame, target: float | None) -> pd.DataFrame:
    rows = []
    for number, point in enumerate(weeks, start=1):
        submitters, commit, best_case = _reps_call(
            fc.latest_calls(submissions, point.quarter, point.at), reps)
        model = history.call(point)
        rows.append({
            "week": number,
            "week_ending": point.last_day,
            "commit": commit,
            "best_case": best_case,
            "submitters": submitters,
            "closed_won": model.closed_won,
            "model_forecast": model.forecast,
            "revenue_target": target,
        })
    columns = ["week", "week_ending", "commit", "best_case", "submitters", "closed_won",
               "model_forecast", "revenue_target"]
    return pd.DataFrame(rows, columns=columns)


def _rep_table(reps: pd.DataFrame, calls: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """One row per rep in scope who has a call or any non-zero figure (figures: by owner)."""
    calls = calls.set_index("person_id")
    present = set(calls.index) | set(figures.index[(figures != 0).any(axis=1)])
    table = reps[reps.index.isin(present)][["person_id", "name", "manager_id", "manager_name",
                                            "region"]].copy()
    table["team_id"] = table["manager_id"].fillna("")
    table["team"] = table["manager_name"].fillna("No manager")
    table["region"] = table["region"].fillna("No region")
    table["commit"] = calls["commit_amount"].reindex(table.index)
    table["best_case"] = calls["best_case_amount"].reindex(table.index)
    table["submitted_at"] = calls["submitted_at"].reindex(table.index)
    for column in figures.columns:
        table[column] = figures[column].reindex(table.index).fillna(0.0).astype(float)
    table = table.rename(columns={"name": "rep"}).drop(columns=["manager_id", "manager_name"])
    return table.sort_values(["team", "rep"]).reset_index(drop=True)


def _grouped(by_rep: pd.DataFrame, level: str, calls: pd.DataFrame | None = None
             ) -> pd.DataFrame:
    """Reps' rows summed by team (its manager) or region. A team also shows its manager's
    own call, which is not added to the reps' (it is a call on the same deals)."""
    keys = ["team_id", "team"] if level == "team" else ["region"]
    figures = [c for c in by_rep.columns if c in FIGURES + ["actual", "called_actual"]]
    groups = by_rep.groupby(keys)
    grouped = pd.concat([
        groups["rep"].count().rename("reps"),
        groups["commit"].count().rename("submitted"),
        groups[figures].sum(min_count=1),  # no calls in a group: no commit, not zero
    ], axis=1).reset_index()
    if calls is not None:
        manager_calls = calls.set_index("person_id")
        grouped["manager_commit"] = grouped["team_id"].map(manager_calls["commit_amount"])
        grouped["manager_best_case"] = grouped["team_id"].map(manager_calls["best_case_amount"])
    return grouped


# -- How the pipeline moved between two dates ----------------------------------------------

def change_range(quarter: Quarter, as_of: dt.date, first: dt.date | None,
                 last: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period of the pipeline changes: by default from the quarter's first day to the
    as-of day (or the quarter's last day, if it is over)."""
    first = first or min(quarter.start, as_of)
    if first > as_of:
        raise ChangeRangeError(f"The period starts {first:%d %b %Y}, after today "
                               f"({as_of:%d %b %Y}); nothing is known about that yet.")
    last = last or max(first, min(as_of, quarter.last_day))
    if last < first:
        raise ChangeRangeError(f"The period ends on {last:%d %b %Y}, before it starts (on "
                               f"{first:%d %b %Y}); pick an end on or after the start.")
    if last > as_of:
        raise ChangeRangeError(f"The period ends {last:%d %b %Y}, after today "
                               f"({as_of:%d %b %Y}); nothing is known about that yet.")
    return first, last


def movement(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
             changes_from: dt.date | None = None, changes_to: dt.date | None = None) -> View:
    """What changed in the quarter's open pipeline between the start of one day and the end
    of another: each deal's movement, with totals that reconcile."""
    view = View("forecast", filters, as_of, holdings=holdings.of(cursor))
    try:
        first, last = change_range(filters.quarter, as_of, changes_from, changes_to)
    except ChangeRangeError as error:
        view.problems.append(str(error))
        return view
    deals = sql.frame(
        cursor, "pipeline_changes", from_at=fc.day_start(first),
        to_at=fc.day_start(last + dt.timedelta(days=1)), **filters.bounds(),
    )
    amounts = ["amount_from", "amount_to", "pipeline_change"]
    deals[amounts] = deals[amounts].astype(float)
    for column in ("close_from", "close_to"):
        deals[column] = pd.to_datetime(deals[column]).dt.date
    deals["movement"] = pd.Categorical(deals["movement"], categories=list(MOVEMENTS),
                                       ordered=True)
    start = float(deals.loc[deals["in_from"], "amount_from"].sum())
    end = float(deals.loc[deals["in_to"], "amount_to"].sum())
    won = deals["movement"].isin(["won", "won_unforecast"])
    view.add("pipeline_at_start", start)
    view.add("pipeline_at_end", end)
    view.add("pipeline_net_change", end - start)
    view.add("won_between", float(deals.loc[won, "amount_to"].sum()))

    summary = deals.groupby("movement", observed=True).agg(
        deals=("deal_id", "count"), pipeline_change=("pipeline_change", "sum"),
        amount_at_end=("amount_to", "sum"),
    ).reset_index()
    summary.insert(1, "label", summary["movement"].map(MOVEMENTS).astype(str))
    summary["movement"] = summary["movement"].astype(str)
    view.tables["changes"] = summary
    deals["movement"] = deals["movement"].astype(str)
    deals.insert(1, "label", deals["movement"].map(MOVEMENTS))
    view.tables["changed_deals"] = deals[deals["movement"] != "unchanged"].drop(
        columns=["in_from", "in_to"]).reset_index(drop=True)
    view.note(f"Pipeline changes from the start of {first:%d %b %Y} to the end of "
              f"{last:%d %b %Y}.", NoteKind.SCOPE)
    return view


# -- The track record of past calls -----------------------------------------------------------

def track_record(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
                 cutoff_week: int | None = None) -> View:
    """For the closed quarters up to the selected one: the calls at the cut-off week against
    what was won, for the reps and for the model, by quarter, rep, team and region.

    The reps' calls are judged against what the reps who called won (a rep who did not
    call is no one's miss); the model, which calls every deal, against everything won."""
    view = View("forecast", filters, as_of, holdings=holdings.of(cursor))
    config = settings.load(cursor)
    week = cutoff_week or config.forecast_cutoff_week
    region, segment = filters.region, filters.segment
    current_quarter = Quarter.containing(as_of, config.fiscal_year_start_month)
    last = min(filters.quarter, current_quarter.shift(-1))
    quarters = quarter_range(last.shift(1 - ACCURACY_QUARTERS), last)
    points = [Point.end_of_week(quarter, week) for quarter in quarters]
    history = fc.PipelineHistory(cursor, points, as_of, config.lookback_quarters, region,
                                 segment)
    won = fc.in_scope(fc.closed_won(cursor, quarters[0], quarters[-1]), region, segment)
    roster = fc.people(cursor)
    reps = fc.reps_in_scope(roster, region, segment)
    submissions = fc.submissions_for(cursor, quarters)

    summary, by_rep, by_team, by_region = [], [], [], []
    for quarter, point in zip(quarters, points, strict=True):
        in_quarter = won[(won["close_date"] >= quarter.start) & (won["close_date"] < quarter.end)]
        calls = fc.latest_calls(submissions, quarter, point.at)
        model = history.call(point)
        reps_then = _rep_table(reps, calls, pd.concat([
            in_quarter.groupby("owner_id")["closed_won"].sum().rename("actual"),
            model.by_owner["model_forecast"],
        ], axis=1).fillna(0.0))
        reps_then["called_actual"] = reps_then["actual"].where(reps_then["commit"].notna())
        called = reps_then["commit"].notna()
        summary.append({
            "quarter": str(quarter),
            "cutoff": point.last_day,
            "revenue_target": goal_targets(cursor, quarter, region, segment).get("revenue"),
            "submitters": int(called.sum()),
            "commit": reps_then.loc[called, "commit"].sum() if called.any() else None,
            "best_case": reps_then.loc[called, "best_case"].sum() if called.any() else None,
            "model_forecast": model.forecast,
            "actual": float(in_quarter["closed_won"].sum()),
            "called_actual": reps_then.loc[called, "actual"].sum() if called.any() else None,
        })
        for rows, table in ((by_rep, reps_then),
                            (by_team, _grouped(reps_then, "team")),
                            (by_region, _grouped(reps_then, "region"))):
            rows.append(table.assign(quarter=str(quarter)))

    by_quarter = _judged(pd.DataFrame(summary))
    view.add("cutoff_week", week)
    for who in ("commit", "model"):
        view.add(f"{who}_accuracy_mean", by_quarter[f"{who}_accuracy"].mean())
        view.add(f"{who}_bias_mean", by_quarter[f"{who}_bias"].mean())
    view.tables["accuracy_by_quarter"] = by_quarter
    for name, rows in (("accuracy_by_rep", by_rep), ("accuracy_by_team", by_team),
                       ("accuracy_by_region", by_region)):
        table = _judged(pd.concat(rows, ignore_index=True))
        view.tables[name] = table[["quarter", *[c for c in table.columns if c != "quarter"]]]
    quiet = by_quarter.loc[by_quarter["submitters"] == 0, "quarter"].tolist()
    if quiet:
        view.note(f"No rep had submitted a forecast by week {week} of "
                  f"{', '.join(quiet)}: only the model's call is judged there.")
    return view


def _judged(table: pd.DataFrame) -> pd.DataFrame:
    """Adds accuracy and bias of the commit (against what its callers won) and of the model
    (against everything won)."""
    table = table.copy()
    for who, column, actual in (("commit", "commit", "called_actual"),
                                ("model", "model_forecast", "actual")):
        pairs = [(None if pd.isna(call) else call, 0.0 if pd.isna(won) else won)
                 for call, won in zip(table[column], table[actual], strict=True)]
        table[f"{who}_accuracy"] = [fc.accuracy(call, won) for call, won in pairs]
        table[f"{who}_bias"] = [fc.bias(call, won) for call, won in pairs]
        table[[f"{who}_accuracy", f"{who}_bias"]] = table[
            [f"{who}_accuracy", f"{who}_bias"]].astype(float)
    return table
