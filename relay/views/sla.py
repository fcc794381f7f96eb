"""Speed to lead: how fast MQLs get their first touch against the agreed SLA, who is
waiting for one now, and what sales accepts."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import holdings, settings, sql
from relay.filters import Filters
from relay.metrics import safe_ratio
from relay.views.common import View
from relay.views.funnel import data_quality_note


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
          rep: str | None = None) -> View:
    """The quarter's MQLs up to the end of the as-of day; `rep` (a person_id) narrows the
    list of open breaches to that rep's leads."""
    view = View("sla", filters, as_of, holdings=holdings.of(cursor))
    sla_hours = settings.load(cursor).sla_hours
    # Ages run to this moment today, or to the end of an earlier as-of day. The real moment,
    # not clock.now(): a pinned RELAY_TODAY in the past is read as its whole day, whatever
    # the time of day (nothing here is written, so it needs no stamp of the pinned day).
    now = min(dt.datetime.now(), dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    period = {"starts_on": filters.quarter.start,
              "ends_before": min(filters.quarter.end, as_of + dt.timedelta(days=1)),
              "region": filters.region, "segment": filters.segment}
    speed = sql.frame(cursor, "speed_to_lead", **period, now=now, sla_hours=sla_hours)
    speed["within_sla_share"] = [
        safe_ratio(row.within_sla, row.within_sla + row.open_breaches + _late(row))
        for row in speed.itertuples()
    ]
    overall = speed[speed["dimension"] == "all"]
    total = overall.iloc[0] if len(overall) else None
    view.add("sla_hours", sla_hours)
    view.add("mqls_in_period", 0 if total is None else total["mqls"])
    view.add("median_speed_hours", None if total is None else _number(total["median_hours"]))
    view.add("p90_speed_hours", None if total is None else _number(total["p90_hours"]))
    view.add("within_sla_share", None if total is None else total["within_sla_share"])
    view.add("open_breaches", 0 if total is None else total["open_breaches"])
    for dimension in ("rep", "team", "region", "week"):
        view.tables[f"by_{dimension}"] = (
            speed[speed["dimension"] == dimension].drop(columns=["dimension"])
            .sort_values("value").reset_index(drop=True)
        )
    view.tables["open_breaches"] = sql.frame(cursor, "open_breaches", **period, now=now,
                                             sla_hours=sla_hours, rep=rep)

    outcomes = sql.frame(cursor, "mql_outcomes", **period)
    cohort = int(outcomes["leads"].sum())
    accepted = int(outcomes.loc[outcomes["accepted"], "leads"].sum())
    view.add("acceptance_rate", safe_ratio(accepted, cohort))
    rejected = outcomes[~outcomes["outcome"].isin(["accepted", "open"])]
    view.tables["rejections"] = (
        rejected.groupby("outcome", as_index=False)["leads"].sum()
        .rename(columns={"outcome": "reason"}).sort_values("leads", ascending=False)
        .reset_index(drop=True)
    )
    quality = sql.row(cursor, "lead_data_quality", **period)
    affected = {k: v for k, v in quality.items() if v}
    if affected:
        view.note(data_quality_note(affected))
    return view


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


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
