"""Speed to lead: how fast MQLs get their first touch against the agreed SLA, who is
waiting for one now, and what sales accepts."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import holdings, settings, sql
from relay.actuals import ages_until
from relay.filters import Filters
from relay.fiscal import Phase, Quarter
from relay.holdings import Need
from relay.metrics import safe_ratio
from relay.views.common import NoteKind, View
from relay.views.funnel import TOUCH_QUALITY, data_quality_note


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
          rep: str | None = None) -> View:
    """The quarter's MQLs up to the end of the as-of day; `rep` (a person_id) narrows the
    list of open breaches to that rep's leads."""
    view = View("sla", filters, as_of, holdings=holdings.of(cursor))
    sla_hours = settings.load(cursor).sla_hours
    view.add("sla_hours", sla_hours)
    if filters.quarter.phase(as_of) is Phase.FUTURE:
        _not_started(view, filters.quarter)
        return view
    now = ages_until(as_of)
    period = {"starts_on": filters.quarter.start,
              "ends_before": min(filters.quarter.end, as_of + dt.timedelta(days=1)),
              "region": filters.region, "segment": filters.segment}
    speed = _untracked_unknown(
        sql.frame(cursor, "speed_to_lead", **period, now=now, sla_hours=sla_hours),
        touches_recorded=view.holdings.has(Need.FIRST_TOUCH))
    overall = speed[speed["dimension"] == "all"]
    total = overall.iloc[0] if len(overall) else None
    view.add("mqls_in_period", 0 if total is None else total["mqls"])
    untracked = _untracked_reps(speed)
    why = _why_speed_unknown(total, untracked)
    view.add("median_speed_hours", None if total is None else total["median_hours"], why)
    view.add("p90_speed_hours", None if total is None else total["p90_hours"], why)
    view.add("within_sla_share", None if total is None else total["within_sla_share"],
             why or "No MQL of the quarter has reached the end of its SLA yet.")
    view.add("open_breaches", None if total is None else total["open_breaches"], why)
    for dimension in ("rep", "team", "region", "week"):
        view.tables[f"by_{dimension}"] = (
            speed[speed["dimension"] == dimension].drop(columns=["dimension"])
            .sort_values("value").reset_index(drop=True)
        )
    breaches = sql.frame(cursor, "open_breaches", **period, now=now, sla_hours=sla_hours,
                         rep=rep)
    # Without a first touch recorded anywhere, every MQL looks untouched: who is waiting
    # can't be told, so nobody is listed as waiting.
    view.tables["open_breaches"] = (breaches if view.holdings.has(Need.FIRST_TOUCH)
                                    else breaches.head(0))
    if untracked and view.holdings.has(Need.FIRST_TOUCH):
        view.note(f"No first touch is recorded for the MQLs of {', '.join(untracked)}, though "
                  "some of them moved on to SAL or further: their speed, SLA and waiting "
                  "leads can't be measured and are left out of the figures.")

    outcomes = sql.frame(cursor, "mql_outcomes", **period)
    cohort = int(outcomes["leads"].sum())
    accepted = int(outcomes.loc[outcomes["accepted"], "leads"].sum())
    view.add("acceptance_rate", safe_ratio(accepted, cohort),
             f"No MQLs in {filters.quarter} so far.")
    rejected = outcomes[~outcomes["outcome"].isin(["accepted", "open"])]
    view.tables["rejections"] = (
        rejected.groupby("outcome", as_index=False)["leads"].sum()
        .rename(columns={"outcome": "reason"}).sort_values("leads", ascending=False)
        .reset_index(drop=True)
    )
    quality = sql.row(cursor, "lead_data_quality", **period)
    if not view.holdings.has(Need.FIRST_TOUCH):
        # The missing touch dates are the figures' reason already, not a quality problem.
        quality = {k: v for k, v in quality.items() if k not in TOUCH_QUALITY}
    affected = {k: v for k, v in quality.items() if v}
    if affected:
        view.note(data_quality_note(affected))
    return view


SPEED_FIGURES = ("mqls_in_period", "median_speed_hours", "p90_speed_hours",
                 "within_sla_share", "open_breaches", "acceptance_rate")
# Speed and SLA columns of the tables: unknown (a dash) for a row whose MQLs have no
# touches recorded.
SPEED_COLUMNS = ("touched", "median_hours", "p90_hours", "within_sla", "open_breaches",
                 "within_sla_share")
TABLE_COLUMNS = ["value", "owner_id", "mqls", "untracked", *SPEED_COLUMNS]


def _not_started(view: View, quarter: Quarter) -> None:
    why = f"{quarter} has not started"
    for key in SPEED_FIGURES:
        view.not_applicable(key, f"{why}.")
    for dimension in ("rep", "team", "region", "week"):
        view.tables[f"by_{dimension}"] = pd.DataFrame(columns=TABLE_COLUMNS)
    view.tables["open_breaches"] = pd.DataFrame(columns=[
        "lead_id", "mql_at", "age_hours", "owner_id", "rep", "region", "segment", "source",
        "campaign"])
    view.tables["rejections"] = pd.DataFrame(columns=["reason", "leads"])
    view.note(f"{why}: no MQL has had time to be touched yet.", NoteKind.NOTHING)


def _untracked_unknown(speed: pd.DataFrame, touches_recorded: bool) -> pd.DataFrame:
    """The speed rows with the share within the SLA, and every speed and SLA column unknown
    (NaN, a dash) where touches are not recorded: in the whole store, or for all the row's
    MQLs (speed_to_lead.sql's untracked reps). An MQL without a touch counts as untouched
    only where touches are recorded; otherwise 0% and breaches would be made up."""
    speed = speed.astype({column: "float" for column in SPEED_COLUMNS[:-1]})
    speed["within_sla_share"] = [
        safe_ratio(row.within_sla, row.within_sla + row.open_breaches + _late(row))
        for row in speed.itertuples()
    ]
    speed["within_sla_share"] = speed["within_sla_share"].astype("float")
    unknown = (speed["untracked"] >= speed["mqls"]) | (not touches_recorded)
    speed.loc[unknown, list(SPEED_COLUMNS)] = float("nan")
    return speed[["dimension", *TABLE_COLUMNS]]


def _untracked_reps(speed: pd.DataFrame) -> list[str]:
    reps = speed[(speed["dimension"] == "rep") & (speed["untracked"] > 0)]
    return sorted(reps["value"])


def _why_speed_unknown(total, untracked: list[str]) -> str:
    if total is None or total["mqls"] == 0:
        return "No MQLs in the quarter so far."
    if untracked and total["untracked"] >= total["mqls"]:
        return ("No first touch is recorded for any MQL of the quarter, though some moved on "
                "to SAL or further: touches aren't being recorded.")
    if total["touched"] == 0:
        return "No MQL of the quarter has been touched yet."
    return ""


def reps(cursor: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """{person_id: name} of everyone who owns MQLs, for the rep filter; a name two people
    share gets the id."""
    named = dict(sql.frame(cursor, "sla_reps").itertuples(index=False))
    shared = {name for name in named.values() if list(named.values()).count(name) > 1}
    return {person: f"{name} ({person})" if name in shared else name
            for person, name in named.items()}


def _late(row) -> int:
    """MQLs touched, but after the SLA."""
    return int(row.touched - row.within_sla)
