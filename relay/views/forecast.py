"""Forecast versus actual: will we make the number, how the call moved, and how good past
calls were (the reps' and the model's, judged the same way)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from relay import forecasting as fc
from relay import format as fmt
from relay import holdings, settings, sql
from relay.actuals import goal_targets
from relay.filters import Filters
from relay.fiscal import Phase, Quarter, quarter_range
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

@dataclass(frozen=True)
class PipelineCall:
    """What the forecast reads from the pipeline, the calls and the people: everything but
    the target, so that a goal edit leaves it as it is (the dashboard caches it apart)."""

    holdings: holdings.Holdings
    model: fc.ModelCall
    lookback: str
    calls: pd.DataFrame
    # (reps in scope who called, their commit, their best case): _reps_call.
    reps_call: tuple[int, float | None, float | None]
    by_rep: pd.DataFrame
    # Week by week (weekly): the calls and the model's call, without the target.
    weeks: list[dict]
    unrecorded: dict
    # A closed quarter's deals still open: past due (None for an open quarter).
    past_due: dict | None


def pipeline(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
             weekly: bool = True) -> PipelineCall:
    """The heavy part of the forecast: the pipeline's history, the model's call and the
    reps' calls, which no goal changes."""
    quarter, region, segment = filters.quarter, filters.region, filters.segment
    now = Point.as_of(quarter, as_of)
    weeks = _week_points(now) if weekly else []
    # The reps' table reads the model's call by owner as of now; the weeks want totals.
    history = fc.PipelineHistory(cursor, weeks or [now], as_of,
                                 settings.load(cursor).lookback_quarters, region, segment,
                                 by_owner=[now])
    roster = fc.people(cursor)
    reps = fc.reps_in_scope(roster, region, segment)
    submissions = fc.submissions_for(cursor, [quarter])
    model = history.call(now)
    calls = fc.latest_calls(submissions, quarter, now.at)
    return PipelineCall(
        holdings=holdings.of(cursor), model=model, lookback=history.lookback_period(now),
        calls=calls, reps_call=_reps_call(calls, reps),
        by_rep=_rep_table(reps, calls, model.by_owner[["closed_won", "open_pipeline",
                                                       "model_forecast"]]),
        weeks=_weekly(weeks, history, submissions, reps),
        unrecorded=sql.row(cursor, "deals_without_history", region=region, segment=segment),
        past_due=(sql.row(cursor, "past_due_deals", **filters.bounds())
                  if quarter.phase(as_of) is Phase.CLOSED else None))


def current(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
            weekly: bool = True, call: PipelineCall | None = None) -> View:
    """Target, closed-won, the reps' calls, the model's call, coverage and gap, with the
    roll-ups by rep, team and region, and (weekly) how the calls moved week by week. `call`:
    the pipeline's part when it is at hand (cached), else read here."""
    call = call or pipeline(cursor, filters, as_of, weekly)
    view = View("forecast", filters, as_of, holdings=call.holdings)
    quarter = filters.quarter
    model, calls, by_rep = call.model, call.calls, call.by_rep

    target = goal_targets(cursor, quarter, filters.region, filters.segment).get("revenue")
    submitters, commit, best_case = call.reps_call
    phase = quarter.phase(as_of)
    no_goal = f"No revenue goal is set for {filters.describe()}."
    reps_of = ("No rep" if filters.region is None and filters.segment is None
               else f"No rep of {filters.scope()}")
    no_call = f"{reps_of} has submitted a forecast for {quarter} by {as_of:%d %b %Y}."
    view.add("revenue_target", target, why=no_goal)
    view.add("submitters", submitters)
    view.add("commit", commit, why=no_call)
    view.add("best_case", best_case, why=no_call)
    view.add("commit_gap", None if target is None or commit is None else target - commit,
             why=no_goal if target is None else no_call)
    view.add_quarter_elapsed(quarter, as_of)
    if phase is Phase.CLOSED:
        _closed_quarter(call.past_due, view, model, target)
    else:
        _open_quarter(view, model, target, call.lookback)
    if phase is Phase.FUTURE:
        not_started = f"{quarter} has not started: nothing is closed or short of target yet."
        for key in ("closed_won", "attainment", "remaining_target", "forecast_gap",
                    "commit_gap"):
            view.not_applicable(key, not_started)

    view.add("reps_in_scope", len(by_rep))
    view.tables["by_rep"] = by_rep
    view.tables["by_team"] = _grouped(by_rep, "team", calls)
    view.tables["by_region"] = _grouped(by_rep, "region")
    view.tables["weighted_pipeline"] = model.by_category
    if weekly:
        view.tables["weekly"] = pd.DataFrame(
            [{**week, "revenue_target": target} for week in call.weeks],
            columns=[*WEEKLY_COLUMNS, "revenue_target"])

    if target is None:
        view.note(no_goal)
    if not submitters and phase is not Phase.CLOSED:
        view.note(f"{no_call} The model's call stands alone.")
    left_out = model.uncalibrated()
    if left_out and phase is not Phase.CLOSED and model.weighable:
        view.note(
            f"{fmt.money(model.uncalibrated_amount)} of open pipeline in {', '.join(left_out)} "
            "is left out of the weighted pipeline and the model forecast: the look-back "
            "quarters had no such open deals at this point of the quarter to measure a rate "
            "on.")
    unassigned = model.closed_won - float(by_rep["closed_won"].sum())
    unassigned_open = model.open_amount - float(by_rep["open_pipeline"].sum())
    if unassigned > 0.5 or unassigned_open > 0.5:
        view.note(
            f"{fmt.money(max(unassigned, 0.0))} closed-won and "
            f"{fmt.money(max(unassigned_open, 0.0))} open pipeline belong to "
            "deals owned by managers or by people outside this breakdown: they count in the "
            "totals but in no rep's row.")
    unrecorded = call.unrecorded
    if unrecorded["without_history"]:
        view.note(
            f"{unrecorded['without_history']:,} of {unrecorded['deals']:,} deals have no "
            "recorded history: each is taken as open from its creation until it closed, in "
            "its current category (pipeline, once closed). Figures for past days, the "
            "model's rates and the pipeline changes are approximate for them.")
    return view


def _closed_quarter(past_due: dict, view: View, model: fc.ModelCall,
                    target: float | None) -> None:
    """A closed quarter: its result against the target, and its deals still open as past
    due. No pace, no open pipeline, no forecast: the result is the closed-won."""
    filters = view.filters
    quarter = filters.quarter
    over = f"{quarter} is over: its result is the closed-won, not a forecast."
    view.add("closed_won", model.closed_won)
    view.add("attainment", safe_ratio(model.closed_won, target),
             why=f"No revenue goal is set for {filters.describe()}.")
    for key in ("remaining_target", "weighted_pipeline", "model_forecast",
                "pipeline_coverage", "forecast_gap", "commit_gap"):
        view.not_applicable(key, over)
    view.not_applicable("open_pipeline", f"{quarter} is over: its deals still open are past "
                                         "due, not pipeline.")
    view.add("past_due_pipeline", past_due["amount"])
    view.add("past_due_deals", past_due["deals"])


def _open_quarter(view: View, model: fc.ModelCall, target: float | None,
                  lookback: str) -> None:
    """The current quarter (or a future one, whose plan this is): closed-won so far, pace,
    open pipeline, the model's call and the gaps."""
    filters = view.filters
    quarter = filters.quarter
    no_goal = f"No revenue goal is set for {filters.describe()}."
    remaining = None if target is None else max(target - model.closed_won, 0.0)
    view.add("closed_won", model.closed_won)
    view.add("attainment", safe_ratio(model.closed_won, target), why=no_goal)
    view.add("remaining_target", remaining, why=no_goal)
    view.add("open_pipeline", model.open_amount)
    if model.weighable:
        view.add("weighted_pipeline", model.weighted)
        view.add("model_forecast", model.forecast)
        view.add("forecast_gap", None if target is None else target - model.forecast,
                 why=no_goal)
    else:
        unweighable = (
            f"The look-back quarters ({lookback}) had no open deals at this point of the "
            f"quarter: there is no rate to weigh the {fmt.money(model.open_amount)} of open "
            "pipeline by.")
        for key in ("weighted_pipeline", "model_forecast", "forecast_gap"):
            view.unknown(key, unweighable)
    not_past_due = f"{quarter} is not over: deals due in it are its pipeline."
    view.not_applicable("past_due_pipeline", not_past_due)
    view.not_applicable("past_due_deals", not_past_due)
    if remaining == 0:
        view.not_applicable("pipeline_coverage", "The target is already met: there is "
                                                 "nothing left to cover.")
        return
    # Before the quarter starts, nothing is closed: coverage is of the whole target.
    view.add("pipeline_coverage", safe_ratio(model.open_amount, remaining), why=no_goal)


def _reps_call(calls: pd.DataFrame, reps: pd.DataFrame) -> tuple[int, float | None,
                                                                 float | None]:
    """(reps who called, their commit, their best case); no calls: no commit, not zero."""
    called = calls[_of_reps(calls, reps)]
    if not len(called):
        return 0, None, None
    return (len(called), float(called["commit_amount"].sum()),
            float(called["best_case_amount"].sum()))


def _of_reps(calls: pd.DataFrame, reps: pd.DataFrame) -> np.ndarray:
    """Which calls are reps' (a hash look-up: isin on text compares value by value)."""
    return reps.index.get_indexer(calls["person_id"]) >= 0


def _week_points(now: Point) -> list[Point]:
    """The end of each week of the quarter up to the as-of day, which ends the last one."""
    points = [Point(now.quarter, days) for days in range(7, now.offset, 7)]
    return [*points, now] if now.offset > 0 else []


# The week-by-week table's columns before the target, which current() adds.
WEEKLY_COLUMNS = ["week", "week_ending", "commit", "best_case", "submitters", "closed_won",
                  "model_forecast"]


def _weekly(weeks: list[Point], history: fc.PipelineHistory, submissions: pd.DataFrame,
            reps: pd.DataFrame) -> list[dict]:
    calls = _weekly_calls(weeks, submissions, reps)
    rows = []
    for number, (point, (submitters, commit, best_case)) in enumerate(
            zip(weeks, calls, strict=True), start=1):
        model = history.call(point)
        rows.append({
            "week": number,
            "week_ending": point.last_day,
            "commit": commit,
            "best_case": best_case,
            "submitters": submitters,
            "closed_won": model.closed_won,
            # No rate for any open category that week: no call, not closed-won alone.
            "model_forecast": model.forecast if model.weighable else None,
        })
    return rows


def _weekly_calls(weeks: list[Point], submissions: pd.DataFrame, reps: pd.DataFrame
                  ) -> list[tuple[int, float | None, float | None]]:
    """_reps_call of the latest calls (fc.latest_calls) at the end of each week, from one
    sort of the reps' submissions: those before a cut-off are a prefix of it."""
    if not weeks:
        return []
    quarter = str(weeks[0].quarter)
    made = submissions[(submissions["quarter"] == quarter).to_numpy()
                       & _of_reps(submissions, reps)].sort_values("submitted_at")
    times = made["submitted_at"].to_numpy()
    # Codes in person_id order, the order latest_calls lists (and sums) the calls in.
    people, _ = pd.factorize(made["person_id"], sort=True)
    commits = made["commit_amount"].to_numpy(dtype=float)
    best_cases = made["best_case_amount"].to_numpy(dtype=float)
    result = []
    for point in weeks:
        before = int(np.searchsorted(times, np.datetime64(point.at), side="left"))
        # Each person's last call before the cut-off: the first in the prefix reversed.
        _, first_reversed = np.unique(people[:before][::-1], return_index=True)
        latest = before - 1 - first_reversed
        if not len(latest):
            result.append((0, None, None))
            continue
        result.append((len(latest), float(commits[latest].sum()),
                       float(best_cases[latest].sum())))
    return result


def _rep_table(reps: pd.DataFrame, calls: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """One row per rep in scope who has a call or any non-zero figure (figures: by owner)."""
    calls = calls.set_index("person_id")
    present = pd.Index([*calls.index, *figures.index[(figures != 0).any(axis=1)]]).unique()
    # A hash look-up: isin on text compares value by value.
    table = reps[present.get_indexer(reps.index) >= 0][
        ["person_id", "name", "manager_id", "manager_name", "region"]].copy()
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
                 cutoff_week: int | None = None, record: View | None = None) -> View:
    """For the closed quarters up to the selected one: the calls at the cut-off week against
    what was won, for the reps and for the model, by quarter, rep, team and region, beside
    each quarter's revenue target. `record`: the calls_record when it is at hand (cached
    apart from the goals), else read here."""
    view = record or calls_record(cursor, filters, as_of, cutoff_week)
    by_quarter = view.tables["accuracy_by_quarter"]
    if len(by_quarter):
        by_quarter["revenue_target"] = [
            goal_targets(cursor, Quarter.parse(quarter), filters.region,
                         filters.segment).get("revenue")
            for quarter in by_quarter["quarter"]]
    return view


def calls_record(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
                 cutoff_week: int | None = None) -> View:
    """The track record without the targets (track_record adds them): the heavy part,
    which no goal changes.

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

    recorded = _recorded_history(cursor, quarters, region, segment, view.holdings)
    summary, by_rep, by_team, by_region = [], [], [], []
    for quarter, point in zip(quarters, points, strict=True):
        in_quarter = won[(won["close_date"] >= quarter.start) & (won["close_date"] < quarter.end)]
        calls = fc.latest_calls(submissions, quarter, point.at)
        model = history.call(point)
        if not summary and not (len(in_quarter) or len(calls) or model.open_amount):
            continue  # the record starts at the first quarter with anything to judge
        reps_then = _rep_table(reps, calls, pd.concat([
            in_quarter.groupby("owner_id")["closed_won"].sum().rename("actual"),
            model.by_owner["model_forecast"],
        ], axis=1).fillna(0.0))
        reps_then["called_actual"] = reps_then["actual"].where(reps_then["commit"].notna())
        called = reps_then["commit"].notna()
        # The model is judged where it had something to learn from and the past it was run
        # on was recorded (not rebuilt from final values, which would be hindsight).
        judged = _model_note(model, recorded[quarter]) is None
        if not judged:
            reps_then["model_forecast"] = float("nan")
        summary.append({
            "quarter": str(quarter),
            "cutoff": point.last_day,
            "revenue_target": None,  # track_record's
            "submitters": int(called.sum()),
            "commit": reps_then.loc[called, "commit"].sum() if called.any() else None,
            "best_case": reps_then.loc[called, "best_case"].sum() if called.any() else None,
            "model_forecast": model.forecast if judged else None,
            "actual": float(in_quarter["closed_won"].sum()),
            "called_actual": reps_then.loc[called, "actual"].sum() if called.any() else None,
            "model_note": _model_note(model, recorded[quarter]),
        })
        for rows, table in ((by_rep, reps_then),
                            (by_team, _grouped(reps_then, "team")),
                            (by_region, _grouped(reps_then, "region"))):
            rows.append(table.assign(quarter=str(quarter)))

    columns = ["quarter", "cutoff", "revenue_target", "submitters", "commit", "best_case",
               "model_forecast", "actual", "called_actual", "model_note"]
    by_quarter = _judged(pd.DataFrame(summary, columns=columns))
    view.add("cutoff_week", week)
    nothing_called = f"No rep had submitted a forecast by week {week} of any quarter shown."
    nothing_judged = ("No quarter shown gives the model a fair test: each had no open deals "
                      "in its look-back quarters, or no recorded deal history.")
    for who, why in (("commit", nothing_called), ("model", nothing_judged)):
        view.add(f"{who}_accuracy_mean", by_quarter[f"{who}_accuracy"].mean(), why=why)
        view.add(f"{who}_bias_mean", by_quarter[f"{who}_bias"].mean(), why=why)
    view.tables["accuracy_by_quarter"] = by_quarter
    for name, rows in (("accuracy_by_rep", by_rep), ("accuracy_by_team", by_team),
                       ("accuracy_by_region", by_region)):
        table = _judged(pd.concat(rows, ignore_index=True)) if rows else pd.DataFrame(
            columns=["quarter"])
        view.tables[name] = table[["quarter", *[c for c in table.columns if c != "quarter"]]]
    if not summary:
        view.note(f"Nothing was won, called or open in the {ACCURACY_QUARTERS} quarters up "
                  f"to {last}: there is no record to judge yet.", NoteKind.NOTHING)
    shown = by_quarter["quarter"].tolist()

    def named(listed: list[str]) -> str:
        return "every quarter shown" if listed == shown and len(shown) > 1 else ", ".join(listed)

    quiet = by_quarter.loc[by_quarter["submitters"] == 0, "quarter"].tolist()
    if quiet:
        view.note(f"No rep had submitted a forecast by week {week} of {named(quiet)}: the "
                  "reps' calls are not judged there.")
    unlearned = [q for q, note in zip(by_quarter["quarter"], by_quarter["model_note"],
                                      strict=True) if note == NO_BASIS]
    if unlearned:
        view.note(f"The model had nothing to learn from in {named(unlearned)}: its "
                  "look-back quarters held no open deals like that quarter's pipeline at that "
                  "week, so there was no rate to weigh it by. Its call there is left out of "
                  "the table and of its accuracy and bias means.")
    hindsight = [q for q, note in zip(by_quarter["quarter"], by_quarter["model_note"],
                                      strict=True) if note == HINDSIGHT]
    if hindsight:
        view.note(f"In {named(hindsight)} no deal history is recorded, so the pipeline at "
                  "the cut-off is rebuilt from the deals' final close dates and amounts "
                  "(hindsight). The model's accuracy there is not a real test and is left out "
                  "of its means; the reps' calls were recorded when made and are judged.")
    return view


NO_BASIS = "no basis: nothing like its open pipeline in the look-back quarters"
HINDSIGHT = "hindsight: no deal history recorded"


def _model_note(model: fc.ModelCall, recorded: bool) -> str | None:
    """Why the model's call of a quarter is not judged, or None when it is: it had no
    rate for its open pipeline (or nothing at all to learn from), or the past it was run on
    is rebuilt from final values."""
    if not model.learned or not model.weighable:
        return NO_BASIS
    return None if recorded else HINDSIGHT


def _recorded_history(cursor, quarters: list[Quarter], region: str | None,
                      segment: str | None, held) -> dict[Quarter, bool]:
    """Per quarter, whether its deals' past is recorded: no deal due in it lacks a
    history (a store without any history has none recorded)."""
    if not held.history_recorded:
        return dict.fromkeys(quarters, False)
    counts = sql.frame(cursor, "deals_without_history_by_quarter",
                       starts_on=[q.start for q in quarters],
                       ends_before=[q.end for q in quarters], region=region, segment=segment)
    lacking = dict(zip(pd.to_datetime(counts["starts_on"]).dt.date,
                       counts["without_history"], strict=True))
    return {quarter: not lacking.get(quarter.start, 0) for quarter in quarters}


def _judged(table: pd.DataFrame) -> pd.DataFrame:
    """Adds accuracy and bias of the commit (against what its callers won) and of the model
    (against everything won), each with the error it stands for in words."""
    table = table.copy()
    for who, column, actual in (("commit", "commit", "called_actual"),
                                ("model", "model_forecast", "actual")):
        pairs = [(None if pd.isna(call) else call, 0.0 if pd.isna(won) else won)
                 for call, won in zip(table[column], table[actual], strict=True)]
        table[f"{who}_accuracy"] = [fc.accuracy(call, won) for call, won in pairs]
        table[f"{who}_bias"] = [fc.bias(call, won) for call, won in pairs]
        table[[f"{who}_accuracy", f"{who}_bias"]] = table[
            [f"{who}_accuracy", f"{who}_bias"]].astype(float)
        table[f"{who}_error"] = [fc.call_against_actual(call, won) for call, won in pairs]
    return table
