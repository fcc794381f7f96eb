"""The demand waterfall: from a revenue target back to the deals, pipeline, SQLs, SALs and
MQLs it takes, with conversion rates measured on the company's own history."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import duckdb

from relay import sql
from relay.filters import scope_label
from relay.fiscal import Quarter
from relay.holdings import EVERYTHING, Holdings, Need, why_unknown
from relay.metrics import safe_ratio

# Below this many deals or leads in a cohort, a region's or segment's own rate says more
# about luck than about the business: the company-wide rate is used instead.
MIN_COHORT = 30


class PlanError(ValueError):
    """An assumption or target the plan cannot work with."""


@dataclass(frozen=True)
class Assumption:
    key: str
    label: str
    kind: str  # rate | currency | count
    measured: float | None
    cohort: int  # the deals or leads it was measured on
    measured_on: str  # scope and window, e.g. "EMEA, 2025-Q3–2026-Q2"
    reason: str = ""  # why there is no measured value, when the store can't give one


ASSUMPTIONS = {
    "win_rate": ("Win rate (deals)", "rate"),
    "average_deal_size": ("Average won deal", "currency"),
    "lead_sourced_share": ("Deals that come from a lead", "share"),
    "sql_to_opportunity": ("SQL → opportunity", "rate"),
    "sal_to_sql": ("SAL → SQL", "rate"),
    "mql_to_sal": ("MQL → SAL (acceptance)", "rate"),
    "inquiry_to_mql": ("Campaign inquiry → MQL", "rate"),
    "other_mqls": ("MQLs from outside campaigns, per quarter", "count"),
}
# What the store must hold for each assumption to be measured at all: without it the
# assumption is unknown (never 0), and the stages that hang on it are too.
NEEDS = {
    "win_rate": (Need.DEALS,),
    "average_deal_size": (Need.DEALS,),
    "lead_sourced_share": (Need.DEALS, Need.LEADS, Need.DEAL_LEADS),
    "sql_to_opportunity": (Need.LEADS, Need.SQL_DATES),
    "sal_to_sql": (Need.LEADS, Need.SAL_DATES, Need.SQL_DATES),
    "mql_to_sal": (Need.LEADS, Need.MQL_DATES, Need.SAL_DATES),
    "inquiry_to_mql": (Need.LEADS, Need.MQL_DATES, Need.CAMPAIGN_LEADS),
    "other_mqls": (Need.LEADS, Need.MQL_DATES),
}
# The rates the lead funnel is worked back through: without all of them, the plan stops at
# the opportunities.
FUNNEL_RATES = ("lead_sourced_share", "sql_to_opportunity", "sal_to_sql", "mql_to_sal")


def lookback_window(quarter: Quarter, as_of: dt.date, quarters: int) -> tuple[Quarter, Quarter]:
    """The closed quarters whose history calibrates a plan or forecast for `quarter`: the
    `quarters` before it, or before the current quarter when `quarter` has not started."""
    current = Quarter.containing(as_of, quarter.start_month)
    last = min(quarter, current).shift(-1)
    return last.shift(1 - quarters), last


def measure(cursor: duckdb.DuckDBPyConnection, quarter: Quarter, region: str | None,
            segment: str | None, as_of: dt.date, lookback_quarters: int,
            holdings: Holdings = EVERYTHING) -> dict[str, Assumption]:
    """Every assumption of the waterfall, measured on the breakdown where its cohort is large
    enough, else company-wide; one whose data the store lacks has no value and says why."""
    first, last = lookback_window(quarter, as_of, lookback_quarters)
    window = {"starts_on": first.start, "ends_before": last.end}
    period = f"{first}–{last}"
    scoped = region is not None or segment is not None
    scope_name = scope_label(region, segment)

    def counts(name: str, own_scope: bool) -> dict:
        return sql.row(cursor, name, **window, region=region if own_scope else None,
                       segment=segment if own_scope else None)

    own = {"deals": counts("plan_deal_outcomes", True),
           "leads": counts("plan_funnel_cohorts", True)}
    company = own
    if scoped:
        company = {"deals": counts("plan_deal_outcomes", False),
                   "leads": counts("plan_funnel_cohorts", False)}

    def pick(source: str, numerator: str, denominator: str | tuple[str, ...]):
        parts = (denominator,) if isinstance(denominator, str) else denominator
        for data, name in ((own, scope_name), (company, "company-wide")):
            size = int(sum(data[source][p] for p in parts))
            if size >= MIN_COHORT or data is company:
                return safe_ratio(data[source][numerator], size), size, f"{name}, {period}"
        raise AssertionError("unreachable")

    measured = {
        "win_rate": pick("deals", "won_deals", ("won_deals", "lost_deals")),
        "average_deal_size": pick("deals", "won_amount", "won_deals"),
        "lead_sourced_share": pick("deals", "lead_deals", "closed_deals"),
        "sql_to_opportunity": pick("leads", "sqls_to_opportunity", "sqls"),
        "sal_to_sql": pick("leads", "sals_to_sql", "sals"),
        "mql_to_sal": pick("leads", "mqls_to_sal", "mqls"),
        "inquiry_to_mql": pick("leads", "campaign_inquiries_to_mql", "campaign_inquiries"),
    }
    other = own["leads"]["other_mqls"]
    measured["other_mqls"] = (other / lookback_quarters, int(other), f"{scope_name}, {period}")
    assumptions = {}
    for key, (value, cohort, on) in measured.items():
        lacking = holdings.lacking(NEEDS[key])
        reason = "" if lacking is None else why_unknown(lacking)
        assumptions[key] = Assumption(key, ASSUMPTIONS[key][0], ASSUMPTIONS[key][1],
                                      None if lacking else value, cohort, on, reason)
    return assumptions


def validate(key: str, value: float | None) -> float:
    """An assumption value the waterfall can divide by, or PlanError saying why not."""
    label, kind = ASSUMPTIONS[key]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise PlanError(f"{label}: there is no history to measure it on; enter a value.")
    if not math.isfinite(value):
        raise PlanError(f"{label} must be a finite number, not {value}.")
    if kind == "rate" and not 0 < value <= 1:
        raise PlanError(f"{label} must be above 0 and at most 1 (0.25 for 25%), not {value}.")
    if kind == "share" and not 0 <= value <= 1:
        raise PlanError(f"{label} must be from 0 to 1 (0.7 for 70%), not {value}.")
    if kind == "currency" and value <= 0:
        raise PlanError(f"{label} must be above zero, not {value}.")
    if kind == "count" and value < 0:
        raise PlanError(f"{label} cannot be negative ({value}).")
    return float(value)


def validate_target(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlanError(f"The revenue target {value!r} is not a number.") from None
    if not math.isfinite(number) or number <= 0 or number >= 1e15:
        raise PlanError(f"The revenue target must be a number above zero (and below a "
                        f"quadrillion), not {value!r}.")
    return number


@dataclass(frozen=True)
class Waterfall:
    revenue_target: float
    deals_won: float
    pipeline: float
    opportunities: float
    # None when a funnel rate is unknown (a store without leads): the plan stops above them.
    lead_opportunities: float | None
    sqls: float | None
    sals: float | None
    mqls: float | None


def waterfall(revenue_target: float, rates: dict[str, float]) -> Waterfall:
    """Work back from revenue: each stage needs the next one ÷ its conversion rate. Only the
    opportunities that come from leads have to be found in the lead funnel; sales source
    the rest."""
    deals_won = revenue_target / rates["average_deal_size"]
    opportunities = deals_won / rates["win_rate"]
    deal_stages = {"revenue_target": revenue_target, "deals_won": deals_won,
                   "pipeline": revenue_target / rates["win_rate"],
                   "opportunities": opportunities}
    if any(rates.get(key) is None for key in FUNNEL_RATES):
        return Waterfall(**deal_stages, lead_opportunities=None, sqls=None, sals=None,
                         mqls=None)
    lead_opportunities = opportunities * rates["lead_sourced_share"]
    sqls = lead_opportunities / rates["sql_to_opportunity"]
    sals = sqls / rates["sal_to_sql"]
    return Waterfall(**deal_stages, lead_opportunities=lead_opportunities, sqls=sqls,
                     sals=sals, mqls=sals / rates["mql_to_sal"])


def whole(count: float | None) -> int | None:
    """A count the plan asks for, rounded up: half an MQL is one more to find. The planner
    shows and saves these same numbers."""
    return None if count is None else math.ceil(round(count, 9))


def as_goals(plan: Waterfall, win_rate: float) -> dict[str, float]:
    """The targets a plan sets: counts rounded up, pipeline up to the next thousand; the
    funnel's counts are left out when the plan could not work them out."""
    goals = {
        "revenue": plan.revenue_target,
        # Revenue ÷ win rate is pipeline to be decided (won or lost) in the quarter, not
        # pipeline created: saved as the goal of that meaning.
        "pipeline_closed": math.ceil(round(plan.pipeline, 6) / 1000) * 1000,
        "sqls": whole(plan.sqls),
        "sals": whole(plan.sals),
        "mqls": whole(plan.mqls),
        "win_rate": round(win_rate, 4),
    }
    return {metric: target for metric, target in goals.items() if target is not None}


# --- Splitting the company plan across regions or segments ---------------------------------

# The goals that add up across regions or segments, and the figure of the look-back quarters
# whose share each row gets. Win rate is a rate: it does not split.
SPLIT_BY = {"revenue": "closed_won", "pipeline": "pipeline_created",
            "pipeline_closed": "pipeline_closed", "mqls": "mqls", "sals": "sals", "sqls": "sqls"}
# Money splits in whole thousands, counts in whole units.
SPLIT_STEP = {"revenue": 1000, "pipeline": 1000, "pipeline_closed": 1000}


def shares(history: dict[tuple[str | None, str | None], dict[str, float]], dimension: str,
           figure: str) -> dict[str, float]:
    """Each region's (dimension "region") or segment's share of `figure` in `history`
    ({(region, segment): figures}, e.g. the look-back quarters summed); rows that had none
    get a share of 0, and with nothing at all every row gets an equal share."""
    index = 0 if dimension == "region" else 1
    values = {
        key[index]: figures.get(figure, 0.0) for key, figures in history.items()
        if key[index] is not None and key[1 - index] is None
    }
    total = sum(values.values())
    if not values:
        return {}
    if total <= 0:
        return {name: 1 / len(values) for name in values}
    return {name: value / total for name, value in values.items()}


def split(total: float, row_shares: dict[str, float], step: float = 1) -> dict[str, float]:
    """`total` divided by `row_shares` in whole `step`s (largest remainder: the rows whose
    exact part lost most to rounding down get the steps left over), so that the rows add up
    to it exactly; what is less than a step goes to the largest row."""
    if not row_shares:
        return {}
    units = math.floor(round(total / step, 9))
    exact = {name: units * share for name, share in row_shares.items()}
    parts = {name: math.floor(round(value, 9)) for name, value in exact.items()}
    left = units - sum(parts.values())
    for name in sorted(exact, key=lambda n: (parts[n] - exact[n], n))[:left]:
        parts[name] += 1
    rows = {name: float(count * step) for name, count in parts.items()}
    largest = max(row_shares, key=lambda n: (row_shares[n], n))
    rows[largest] += total - units * step
    return rows


def reconcile(company: dict[str, float | None], rows: dict[str, dict[str, float | None]],
              metrics: tuple[str, ...]) -> list[dict]:
    """Where rows don't add up to the company goal, per metric: the company target, the sum
    of the rows, the difference (rows − company) and which rows have no target. A metric
    adds up when the difference is 0 and every row has a target."""
    lines = []
    for metric in metrics:
        target = company.get(metric)
        values = {name: row.get(metric) for name, row in rows.items()}
        missing = sorted(name for name, value in values.items()
                         if value is None or (isinstance(value, float) and math.isnan(value)))
        total = sum(value for name, value in values.items() if name not in missing)
        difference = None if target is None else total - target
        lines.append({"metric": metric, "company": target, "rows_total": total,
                      "difference": difference, "rows_without_target": missing,
                      "adds_up": target is not None and not missing
                      and abs(difference) < 0.5})
    return lines
