"""The forecast of a quarter: the reps' calls rolled up, the model's call from the open
pipeline, and forecast submissions.

The model's call at some day of a quarter = closed-won so far + each open deal closing in the
quarter × the share of such pipeline that was won within its own quarter, measured per
forecast category on the look-back quarters *at the same share of the quarter gone*. Weighting by
each category's all-time win rate instead ignores that pipeline slips out of the quarter and
changes in amount; on the demo history that overcalls by about a third at week 8 (mean
accuracy 0.64) where this model is within a few percent (0.97): see docs/design.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from relay import clock, identity, sql, store
from relay.filters import scope_label
from relay.fiscal import Quarter, quarter_range
from relay.identity import Role
from relay.metrics import safe_ratio
from relay.planning import MIN_COHORT, lookback_window

OPEN_CATEGORIES = ("pipeline", "best_case", "commit")
CATEGORY_LABELS = {"pipeline": "Pipeline", "best_case": "Best case", "commit": "Commit"}
# A stored amount is DECIMAL(18, 2).
MAX_AMOUNT = 1e15


class ForecastError(ValueError):
    """A forecast submission that cannot be stored, with what to fix."""


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


@dataclass(frozen=True)
class Point:
    """A quarter as it stood at the start of the day `offset` days after it began."""

    quarter: Quarter
    offset: int

    @classmethod
    def as_of(cls, quarter: Quarter, as_of: dt.date) -> Point:
        """The quarter at the end of the as-of day (before it began, if it has not; at its
        end if it is over)."""
        days = (as_of + dt.timedelta(days=1) - quarter.start).days
        return cls(quarter, min(days, quarter.days))

    @classmethod
    def end_of_week(cls, quarter: Quarter, week: int) -> Point:
        """The end of a week of the quarter. Week 13, its last, ends before the quarter's
        last day: a call judged on the closing day would be judged on a known result."""
        return cls(quarter, min(7 * week, quarter.days - 1))

    def same_point_in(self, quarter: Quarter) -> Point:
        """The same share of another quarter gone (quarters differ in length by a few
        days, and the end of one must map to the end of the other)."""
        return Point(quarter, round(self.offset * quarter.days / self.quarter.days))

    @property
    def at(self) -> dt.datetime:
        return day_start(self.quarter.start + dt.timedelta(days=self.offset))

    @property
    def last_day(self) -> dt.date:
        """The last day whose events the point has seen."""
        return self.at.date() - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        return f"{self.quarter}+{self.offset}"


def in_scope(frame: pd.DataFrame, region: str | None, segment: str | None) -> pd.DataFrame:
    """Rows of a frame with the deals' region and segment columns, narrowed to a breakdown."""
    keep = pd.Series(True, index=frame.index)
    if region is not None:
        keep &= frame["region"] == region
    if segment is not None:
        keep &= frame["segment"] == segment
    return frame[keep]


@dataclass
class ModelCall:
    """The model's call at a point: closed-won so far plus the open pipeline by category with
    the conversion rates applied; and the same per owner."""

    closed_won: float
    by_category: pd.DataFrame  # forecast_category, deals, amount, rate, weighted_amount, ...
    # owner_id, closed_won, open_pipeline, weighted_amount, model_forecast; None for a point
    # PipelineHistory read summed over owners.
    by_owner: pd.DataFrame | None

    @property
    def open_amount(self) -> float:
        return float(self.by_category["amount"].sum())

    @property
    def weighted(self) -> float:
        return float(self.by_category["weighted_amount"].sum())

    @property
    def forecast(self) -> float:
        return self.closed_won + self.weighted

    def uncalibrated(self) -> list[str]:
        """Open categories the look-back history says nothing about: their pipeline has no
        rate, so it is left out of the weighted pipeline (not weighted at 0%)."""
        rates = self.by_category
        return rates.loc[(rates["amount"] > 0) & (rates["basis_deals"] == 0),
                         "forecast_category"].map(CATEGORY_LABELS).tolist()

    @property
    def uncalibrated_amount(self) -> float:
        rates = self.by_category
        return float(rates.loc[rates["basis_deals"] == 0, "amount"].sum())

    @property
    def weighable(self) -> bool:
        """Whether the model can weigh the open pipeline: nothing is open, or some open
        category has a basis in the look-back quarters. Pipeline that is open only in
        categories without one has no weighted value at all (not $0)."""
        rates = self.by_category
        open_categories = rates[rates["amount"] > 0]
        return not len(open_categories) or bool((open_categories["basis_deals"] > 0).any())

    @property
    def learned(self) -> bool:
        """Whether the look-back quarters held any open deal to learn a rate from: without
        one the model's call is closed-won so far and nothing else, no forecast to judge."""
        return bool((self.by_category["basis_deals"] > 0).any())


class PipelineHistory:
    """The open pipeline of quarters as it stood at given points, with the look-back
    snapshots that calibrate the model at each point: all loaded in one query, and summed by
    forecast category for every point at once (one group-by, not a few per point)."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, points: list[Point], as_of: dt.date,
                 lookback_quarters: int, region: str | None, segment: str | None,
                 by_owner: list[Point] | None = None) -> None:
        """`by_owner`: the points whose call is wanted owner by owner (ModelCall.by_owner;
        default: every point). Every other snapshot, a look-back one included, is read
        summed over owners from the pipeline_deltas summary: a sum over a quarter's daily
        deltas, where reading owners means joining every deal state with the moment."""
        self.region, self.segment = region, segment
        self._lookback: dict[Point, tuple[list[Point], str]] = {}
        wanted: dict[str, Point] = {}
        for point in points:
            first, last = lookback_window(point.quarter, as_of, lookback_quarters)
            back = [point.same_point_in(quarter) for quarter in quarter_range(first, last)]
            self._lookback[point] = (back, f"{first}–{last}")
            wanted.update({p.key: p for p in (point, *back)})
        self._owned = {p.key for p in (points if by_owner is None else by_owner)}
        frames = []
        for query, owned in (("pipeline_snapshots", True),
                             ("pipeline_snapshots_by_breakdown", False)):
            snapshots = [p for p in wanted.values() if (p.key in self._owned) is owned]
            if snapshots or not frames:  # one frame at least, for the columns
                frames.append(sql.frame(
                    cursor, query,
                    snapshot=[p.key for p in snapshots],
                    at=[p.at for p in snapshots],
                    starts_on=[p.quarter.start for p in snapshots],
                    ends_before=[p.quarter.end for p in snapshots],
                ))
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        self._frame = frame.astype({"amount": float, "won_in_quarter": float})
        # Row positions of each (snapshot, status), in the frame's order, which every sum
        # keeps: the figures do not depend on how the rows were grouped to get them.
        self._rows = {key: positions for key, positions
                      in self._frame.groupby(["snapshot", "status"]).indices.items()}
        self._is_scoped = self._frame.index.isin(in_scope(self._frame, region, segment).index)
        self._number = {point: number for number, point in enumerate(points)}
        self._sums = self._category_sums(points)

    def lookback_period(self, point: Point) -> str:
        """The look-back quarters that calibrate the model at the point: '2025-Q3–2026-Q2'."""
        return self._lookback[point][1]

    def _positions(self, point: Point, status: str, scoped: bool) -> np.ndarray:
        positions = self._rows.get((point.key, status), np.empty(0, dtype=np.intp))
        return positions[self._is_scoped[positions]] if scoped else positions

    def _category_sums(self, points: list[Point]) -> dict[tuple[int, str, str],
                                                          tuple[int, float, float]]:
        """Per point and open category, summed in one group-by: the open pipeline now
        ('open'), and the look-back basis on the breakdown ('own') and company-wide
        ('company'): deals, amount and what of it was won within its quarter."""
        scoped = self.region is not None or self.segment is not None
        labels, positions = [], []
        for number, point in enumerate(points):
            back = self._lookback[point][0]
            parts = {"open": [self._positions(point, "open", True)],
                     "own": [self._positions(p, "open", True) for p in back]}
            if scoped:
                parts["company"] = [self._positions(p, "open", False) for p in back]
            for part, listed in parts.items():
                rows = np.concatenate([np.empty(0, dtype=np.intp), *listed])
                positions.append(rows)
                labels.append(np.full(len(rows), f"{number}:{part}", dtype=object))
        rows = self._frame.take(np.concatenate([np.empty(0, dtype=np.intp), *positions]))
        rows = rows[["forecast_category", "deals", "amount", "won_in_quarter"]].assign(
            part=np.concatenate([np.empty(0, dtype=object), *labels]))
        sums = rows.groupby(["part", "forecast_category"]).agg(
            deals=("deals", "sum"), amount=("amount", "sum"),
            won_in_quarter=("won_in_quarter", "sum"))
        return {(int(number), part, category): (int(deals), float(amount), float(won))
                for (label, category), deals, amount, won in zip(
                    sums.index, sums["deals"], sums["amount"], sums["won_in_quarter"],
                    strict=True)
                for number, part in [label.split(":")]}

    def _sum(self, point: Point, part: str, category: str) -> tuple[int, float, float]:
        return self._sums.get((self._number[point], part, category), (0, 0.0, 0.0))

    def rates(self, point: Point) -> pd.DataFrame:
        """Per open category: the share of pipeline won within its quarter, in the look-back
        quarters at the same day, on the breakdown when it has enough deals, else
        company-wide."""
        return pd.DataFrame(self._rate_columns(point)).astype({"rate": float})

    def _rate_columns(self, point: Point) -> dict[str, list]:
        period = self._lookback[point][1]
        scoped = self.region is not None or self.segment is not None
        columns: dict[str, list] = {name: [] for name in (
            "forecast_category", "basis_deals", "basis_amount", "won_in_quarter", "rate",
            "rate_from")}
        for category in OPEN_CATEGORIES:
            basis, rate_from = self._sum(point, "own", category), scope_label(self.region,
                                                                              self.segment)
            if basis[0] < MIN_COHORT and scoped:
                basis, rate_from = self._sum(point, "company", category), "company-wide"
            deals, amount, won = basis
            rate = safe_ratio(won, amount)
            for name, value in (("forecast_category", category), ("basis_deals", deals),
                                ("basis_amount", amount), ("won_in_quarter", won),
                                # No basis, no rate (a dash, not 0%): that pipeline is left
                                # out of the call.
                                ("rate", float("nan") if rate is None else rate),
                                ("rate_from", f"{rate_from}, {period}, {_when(point)}")):
                columns[name].append(value)
        return columns

    def call(self, point: Point) -> ModelCall:
        rates = self._rate_columns(point)
        now = [self._sum(point, "open", category) for category in OPEN_CATEGORIES]
        amounts = [amount for _, amount, _ in now]
        by_category = pd.DataFrame({
            "forecast_category": rates["forecast_category"],
            "deals": [deals for deals, _, _ in now],
            "amount": amounts,
            "rate": rates["rate"],
            "weighted_amount": [amount * rate for amount, rate in zip(amounts, rates["rate"],
                                                                      strict=True)],
            "basis_deals": rates["basis_deals"],
            "basis_amount": rates["basis_amount"],
            "won_in_quarter": rates["won_in_quarter"],
            "rate_from": rates["rate_from"],
        })
        won = self._frame["amount"].to_numpy()[self._positions(point, "won", True)]
        by_owner = None
        if point.key in self._owned:
            open_now = self._frame.take(self._positions(point, "open", True))
            won_rows = self._frame.take(self._positions(point, "won", True))
            # A category without a rate adds nothing: its pipeline is left out, and said so.
            rate = by_category.set_index("forecast_category")["rate"].fillna(0.0)
            weighted = open_now["amount"] * open_now["forecast_category"].map(rate).astype(float)
            by_owner = pd.concat([
                won_rows.groupby("owner_id")["amount"].sum().rename("closed_won"),
                open_now.groupby("owner_id")["amount"].sum().rename("open_pipeline"),
                weighted.groupby(open_now["owner_id"]).sum().rename("weighted_amount"),
            ], axis=1).fillna(0.0)
            by_owner["model_forecast"] = by_owner["closed_won"] + by_owner["weighted_amount"]
        return ModelCall(float(won.sum()), by_category, by_owner)


def _when(point: Point) -> str:
    if point.offset <= 0:
        return f"{-point.offset} days before the quarter began"
    return f"at the end of day {point.offset} of the quarter"


def closed_won(cursor: duckdb.DuckDBPyConnection, first: Quarter, last: Quarter) -> pd.DataFrame:
    """Won deals of the quarters first..last by owner, breakdown and close date, as they
    stand now: what each quarter finally won."""
    frame = sql.frame(cursor, "closed_won_by_owner_day", starts_on=first.start,
                      ends_before=last.end)
    frame["close_date"] = pd.to_datetime(frame["close_date"]).dt.date
    return frame.astype({"closed_won": float})


def latest_calls(submissions: pd.DataFrame, quarter: Quarter, before: dt.datetime) -> pd.DataFrame:
    """Each person's last submission for the quarter made before the cut-off."""
    made = submissions[(submissions["quarter"] == str(quarter))
                       & (submissions["submitted_at"] < before)]
    return (made.sort_values("submitted_at").groupby("person_id", as_index=False).last()
            [["person_id", "commit_amount", "best_case_amount", "submitted_at"]])


def submissions_for(cursor: duckdb.DuckDBPyConnection, quarters: list[Quarter]) -> pd.DataFrame:
    frame = sql.frame(cursor, "forecast_submissions_for", quarters=[str(q) for q in quarters])
    return frame.astype({"commit_amount": float, "best_case_amount": float})


def people(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return sql.frame(cursor, "forecast_people").set_index("person_id", drop=False)


def reps_in_scope(roster: pd.DataFrame, region: str | None, segment: str | None) -> pd.DataFrame:
    """People whose calls add up to the scope's commit: everyone who manages nobody, in the
    breakdown by their own region and segment. A manager's call is their team's, so adding
    it would count the team twice."""
    reps = roster[~roster["is_manager"]]
    if region is not None:
        reps = reps[reps["region"] == region]
    if segment is not None:
        reps = reps[reps["segment"] == segment]
    return reps


def accuracy(call: float | None, actual: float) -> float | None:
    """docs/design.md: 1 − |call − actual| ÷ actual (undefined when nothing was won)."""
    if call is None or not actual:
        return None
    return 1 - abs(call - actual) / actual


def call_against_actual(call: float | None, actual: float) -> str | None:
    """The error an accuracy stands for, in words: a commit of 1.94 × what was won reads
    "called 1.9× what was won" (its accuracy, −94%, alone says little)."""
    if call is None or not actual:
        return None
    times = call / actual
    if round(times, 2) == 1:
        return "called within 1% of what was won"
    if times >= 1.5:
        return f"called {times:.1f}× what was won"
    if times > 1:
        return f"called {times - 1:.0%} more than was won"
    return f"called {1 - times:.0%} less than was won"


def bias(call: float | None, actual: float) -> float | None:
    """docs/design.md: (call − actual) ÷ actual; above zero means the call was too high."""
    if call is None or not actual:
        return None
    return (call - actual) / actual


# -- Submitting ---------------------------------------------------------------------------

def submittable_quarters(today: dt.date, start_month: int) -> list[Quarter]:
    """A call can be made for the quarter under way and the next one; a closed quarter's
    result is known, so a call for it would only skew the accuracy record."""
    current = Quarter.containing(today, start_month)
    return [current, current.shift(1)]


def submit(connection: duckdb.DuckDBPyConnection, quarter: Quarter, person_id: str,
           commit_amount: float, best_case_amount: float, start_month: int) -> dt.datetime:
    """Store a person's commit and best case for a quarter in one audited transaction;
    returns when it was submitted. A rep calls only their own quarter (a manager's own call
    is their team's); a planner may enter anyone's, and the audit log says who did."""
    actor = identity.require(Role.REP, "submitting a forecast")
    today = clock.today()
    allowed = submittable_quarters(today, start_month)
    if quarter < allowed[0]:
        raise ForecastError(f"{quarter} is closed: forecasts can be submitted for "
                            f"{allowed[0]} (current) or {allowed[1]} only.")
    if quarter > allowed[1]:
        raise ForecastError(f"{quarter} is too far ahead: forecasts can be submitted for "
                            f"{allowed[0]} (current) or {allowed[1]} only.")
    for label, amount in (("Commit", commit_amount), ("Best case", best_case_amount)):
        if amount is None or not math.isfinite(amount):
            raise ForecastError(f"{label} must be an amount, not {amount!r}.")
        if amount < 0:
            raise ForecastError(f"{label} cannot be negative (you entered {amount:,.2f}).")
        if amount >= MAX_AMOUNT:
            raise ForecastError(f"{label} of {amount:,.0f} is more than the store can hold.")
    if best_case_amount < commit_amount:
        raise ForecastError(
            f"Best case ({best_case_amount:,.2f}) is below commit ({commit_amount:,.2f}): best "
            "case is what could close if things go well, so it is at least the commit.")
    submitted_at = clock.now()

    def work(cursor):
        known = {person["person_id"]: person for person in sql.records(cursor, "forecast_people")}
        if person_id not in known:
            raise ForecastError(f"No person with id {person_id!r} is in the store.")
        person = known[person_id]
        if not actor.may(Role.PLANNER) and not actor.is_person(person["name"],
                                                                person["email"]):
            raise identity.Refused(
                f"{actor.audit_name} may submit only their own forecast, not "
                f"{person['name']}'s: a rep calls their own quarter.")
        if not known[person_id]["is_caller"]:
            raise ForecastError(
                f"{known[person_id]['name']} owns no deals and manages no one who does, so "
                "has no quarter to call.")
        previous = submissions_for(cursor, [quarter])
        previous = latest_calls(previous[previous["person_id"] == person_id], quarter,
                                submitted_at)
        sql.execute(cursor, "insert_forecast_submission", quarter=str(quarter),
                    person_id=person_id, submitted_at=submitted_at,
                    commit_amount=round(commit_amount, 2),
                    best_case_amount=round(best_case_amount, 2))
        sql.execute(cursor, "insert_audit", at=submitted_at, actor=actor.audit_name,
                    action="forecast.submit", entity="forecast_submissions",
                    entity_id=f"{quarter}/{person_id}",
                    before=_call_json(previous.to_dict(orient="records")[0])
                    if len(previous) else None,
                    after=_call_json({"commit_amount": commit_amount,
                                      "best_case_amount": best_case_amount}))

    store.write(connection, work, busy=ForecastError)
    return submitted_at


def _call_json(call: dict) -> str:
    return json.dumps({"commit": round(float(call["commit_amount"]), 2),
                       "best_case": round(float(call["best_case_amount"]), 2)})
