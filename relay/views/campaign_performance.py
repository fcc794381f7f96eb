"""Campaign performance: what each campaign and channel cost in the quarter and what their
leads of the quarter produced, down to revenue."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from relay import attribution, holdings, settings, sql
from relay.filters import Filters
from relay.fiscal import Phase
from relay.holdings import Need
from relay.metrics import safe_ratio
from relay.views.common import NoteKind, View

COUNTS = ["leads", "mqls", "sals", "sqls"]
SOURCED = ["sourced_pipeline", "sourced_revenue"]
# What the attribution model chosen credits each campaign with (deal_credits).
CREDITED = ["credited_pipeline", "credited_revenue"]
# Why a campaign (or channel) has no ROI while its cost is known: it cost nothing.
FREE = "No cost, so no return on it"


def _ratios(table: pd.DataFrame) -> pd.DataFrame:
    """Cost per lead and per SQL, ROI and acceptance. No cost recorded (null) leaves the
    cost-based figures unknown; a recorded cost of 0 is a free campaign: $0 per lead, and no
    ROI (nothing was spent to return), never infinite or −100%."""
    cost = table["cost_in_quarter"]
    table["cost_per_lead"] = cost / table["leads"].where(table["leads"] > 0)
    table["cost_per_sql"] = cost / table["sqls"].where(table["sqls"] > 0)
    table["roi"] = (table["sourced_revenue"] - cost) / cost.where(cost > 0)
    table["credited_roi"] = (table["credited_revenue"] - cost) / cost.where(cost > 0)
    table["acceptance_rate"] = table["sals"] / table["mqls"].where(table["mqls"] > 0)
    return table.replace([np.inf, -np.inf], np.nan)


def _by_channel(campaigns: pd.DataFrame) -> pd.DataFrame:
    """Each channel's campaigns, leads and what they produced; its cost-based figures use
    only its campaigns with a cost recorded, so that a missing cost does not pass for a
    free campaign."""
    costed = campaigns[campaigns["cost_in_quarter"].notna()]
    channels = campaigns.groupby("channel", as_index=False)[COUNTS + SOURCED + CREDITED].sum(
        min_count=1)
    channels["campaigns"] = channels["channel"].map(campaigns["channel"].value_counts())
    costs = costed.groupby("channel")[["cost_in_quarter", "leads", "sqls", "sourced_revenue",
                                       "credited_revenue"]]
    costs = costs.sum(min_count=1)
    channels["cost_in_quarter"] = channels["channel"].map(costs["cost_in_quarter"])
    channels = _ratios(channels)
    # Cost per lead, per SQL and ROI over the costed campaigns alone.
    spent = costs["cost_in_quarter"]
    for name, column in (("cost_per_lead", "leads"), ("cost_per_sql", "sqls")):
        channels[name] = channels["channel"].map(spent / costs[column].where(costs[column] > 0))
    channels["roi"] = channels["channel"].map(
        (costs["sourced_revenue"] - spent) / spent.where(spent > 0))
    channels["credited_roi"] = channels["channel"].map(
        (costs["credited_revenue"] - spent) / spent.where(spent > 0))
    return channels.replace([np.inf, -np.inf], np.nan).sort_values(
        "sourced_revenue", ascending=False, ignore_index=True)


def _credits(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
             campaign_ids: pd.Series) -> pd.DataFrame:
    """Every model's pipeline and revenue credit per campaign (campaign_credits), a row per
    campaign of `campaign_ids` in that order: 0 for one no credited deal touched."""
    quarter = filters.quarter
    credits = sql.frame(
        cursor, "campaign_credits", starts_on=quarter.start, ends_before=quarter.end,
        produced_before=as_of + dt.timedelta(days=1), region=filters.region,
        segment=filters.segment,
    ).set_index("campaign_id")
    return credits.reindex(campaign_ids).fillna(0.0).astype(float).reset_index(drop=True)


def _side_by_side(campaigns: pd.DataFrame, credits: pd.DataFrame) -> pd.DataFrame:
    """Per channel, its campaigns' pipeline and revenue credit under every model."""
    by_channel = credits.assign(channel=campaigns["channel"].to_numpy())
    table = by_channel.groupby("channel", as_index=False).sum(min_count=1)  # unknown: a dash
    return table.sort_values(f"pipeline_{attribution.DEFAULT_MODEL}", ascending=False,
                             ignore_index=True)


def _measured_rows(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
                   found: holdings.Holdings) -> pd.DataFrame:
    """The quarter's campaigns with their cost, counts and sourced figures, each unknown where
    the store can't measure it (`found`: what the store holds)."""
    quarter = filters.quarter
    # What the quarter's campaigns and their leads have produced to date: a campaign's
    # leads, and the deals they bring, keep coming after the quarter ends.
    campaigns = sql.frame(
        cursor, "campaign_performance", starts_on=quarter.start, ends_before=quarter.end,
        produced_before=as_of + dt.timedelta(days=1), region=filters.region,
        segment=filters.segment,
    )
    for column in ("actual_cost", "cost_in_quarter", *SOURCED):
        campaigns[column] = campaigns[column].astype(float)
    # Without leads linked to campaigns (or deals to leads) the counts (or the sourced
    # figures) can't be measured: a dash, not 0.
    future = quarter.phase(as_of) is Phase.FUTURE  # nothing has arrived: a dash, not 0
    if future:  # nothing is spent in it yet (a recorded cost is spend to date)
        campaigns["cost_in_quarter"] = np.nan
    if future or not found.has(Need.CAMPAIGN_LEADS):
        campaigns[COUNTS] = np.nan
    # A stage no lead has a date for is unknown in every row (and cost per SQL with it).
    for column, dates in holdings.STAGE_DATES.items():
        if not found.has(dates):
            campaigns[column] = np.nan
    if future or not (found.has(Need.DEAL_LEADS) and found.has(Need.CAMPAIGN_LEADS)):
        campaigns[SOURCED] = np.nan
    return campaigns


def channel_counts(cursor: duckdb.DuckDBPyConnection, filters: Filters,
                   as_of: dt.date) -> pd.DataFrame:
    """The channels table's leads, MQLs, SALs and SQLs (and sourced figures), in its order,
    without the attribution credits the whole view also reads (the planning meeting's
    channel driver needs only the MQLs)."""
    campaigns = _measured_rows(cursor, filters, as_of, holdings.of(cursor))
    channels = campaigns.groupby("channel", as_index=False)[COUNTS + SOURCED].sum(min_count=1)
    return channels.sort_values("sourced_revenue", ascending=False, ignore_index=True)


def channel_mqls(cursor: duckdb.DuckDBPyConnection, filters: Filters,
                 as_of: dt.date) -> dict[str, float]:
    """{channel: MQLs} as channel_counts counts them (unknown: NaN), read without the deals and
    costs it also reads (campaign_channel_mqls.sql); in no particular order."""
    quarter = filters.quarter
    rows = sql.frame(
        cursor, "campaign_channel_mqls", starts_on=quarter.start, ends_before=quarter.end,
        produced_before=as_of + dt.timedelta(days=1), region=filters.region,
        segment=filters.segment,
    ).dropna(subset=["channel"])  # as channel_counts' group-by leaves out campaigns without one
    found = holdings.of(cursor)
    mqls = rows["mqls"].astype(float)
    # The dashes of _measured_rows: nothing has arrived in a future quarter, and without
    # leads linked to campaigns or MQL dates the count can't be measured.
    if (quarter.phase(as_of) is Phase.FUTURE or not found.has(Need.CAMPAIGN_LEADS)
            or not found.has(holdings.STAGE_DATES["mqls"])):
        mqls = pd.Series(np.nan, index=rows.index)
    return dict(zip(rows["channel"].tolist(), mqls.tolist(), strict=True))


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
          model: str | None = None) -> View:
    """`model`: the attribution model the credited figures follow (relay.attribution);
    None: the company's (setting attribution_model)."""
    view = View("campaigns", filters, as_of, holdings=holdings.of(cursor))
    quarter = filters.quarter
    config = settings.load(cursor)
    model = model or config.attribution_model
    campaigns = _measured_rows(cursor, filters, as_of, view.holdings)
    credits = _credits(cursor, filters, as_of, campaigns["campaign_id"])
    campaigns["credited_pipeline"] = credits[f"pipeline_{model}"]
    campaigns["credited_revenue"] = credits[f"revenue_{model}"]
    future = quarter.phase(as_of) is Phase.FUTURE
    # Without touches no model can share a deal among campaigns: unknown, not 0.
    measured = not future and view.holdings.has(Need.TOUCHES)
    if not measured:
        campaigns[CREDITED] = np.nan
        credits[:] = np.nan
    campaigns = _ratios(campaigns)
    view.tables["campaigns"] = campaigns
    view.tables["channels"] = _by_channel(campaigns)
    view.tables["models"] = _side_by_side(campaigns, credits)

    costed = campaigns[campaigns["cost_in_quarter"].notna()]
    cost = float(costed["cost_in_quarter"].sum())
    view.add("campaigns_run", len(campaigns))
    if future:
        view.not_applicable("campaign_cost", f"{quarter} has not started: a recorded cost is "
                            "what was spent to date, and nothing is spent in it yet.")
    elif costed.empty and len(campaigns):
        view.unknown("campaign_cost", f"None of the {len(campaigns):,} campaigns in {quarter} "
                     "has a cost recorded: record their actual cost, or import marketing spend.")
    else:
        view.add("campaign_cost", cost)
    if future:
        why = f"{quarter} has not started: its campaigns have brought no leads yet."
        for key in ("campaign_sourced_pipeline", "campaign_sourced_revenue", "campaign_roi"):
            view.not_applicable(key, why)
    else:
        view.add("campaign_sourced_pipeline", campaigns["sourced_pipeline"].sum())
        view.add("campaign_sourced_revenue", campaigns["sourced_revenue"].sum())
        if cost == 0 and not costed.empty:
            view.not_applicable("campaign_roi", f"{FREE}: the campaigns in {quarter} with a "
                                "cost recorded cost nothing.")
        else:
            view.add("campaign_roi", safe_ratio(costed["sourced_revenue"].sum() - cost, cost),
                     why=view.figures["campaign_cost"].reason or f"No campaign ran in {quarter}.")
    _add_credited(view, campaigns, costed, cost, future, model,
                  config.attribution_half_life_days)
    if (filters.region or filters.segment) and (
            campaigns["region"].isna() | campaigns["segment"].isna()).any():
        view.note("Campaigns for all regions or segments count only their leads in this "
                  "breakdown, but show their whole cost in the quarter: it is not split.")
    missing = int(campaigns["actual_cost"].isna().sum())
    if missing and not future:
        view.note(f"{missing:,} of {len(campaigns):,} campaigns have no cost recorded: their "
                  "cost per lead, cost per SQL and ROI can't be measured, and the totals leave "
                  "them out.")
    free = int((campaigns["actual_cost"] == 0).sum())
    if free and not future:
        view.note(f"{free:,} of {len(campaigns):,} campaigns have a recorded cost of 0: "
                  f"their cost per lead is 0 and ROI is not applicable ({FREE.lower()}).")
    return view


def _add_credited(view: View, campaigns: pd.DataFrame, costed: pd.DataFrame, cost: float,
                  future: bool, model: str, half_life: float) -> None:
    """The quarter's campaigns' credit under the model chosen, and the ROI it gives."""
    quarter = view.filters.quarter
    keys = ("campaign_credited_pipeline", "campaign_credited_revenue", "campaign_credited_roi")
    if future:
        for key in keys:
            view.not_applicable(key, f"{quarter} has not started: its campaigns have touched "
                                     "no deal yet.")
        return
    if not view.holdings.has(Need.TOUCHES):
        view.note("The attribution models can't be measured: no campaign touches in the "
                  "store, so no deal can be shared among the campaigns that touched its lead. "
                  "Import campaign members (a HubSpot or Salesforce export) on the Data page; "
                  "until then the pipeline and revenue from a campaign's leads (each lead's "
                  "own campaign, its first touch) are the measure.")
    else:
        view.note(f"Credited under {attribution.label(model, half_life)}: each deal's amount "
                  "is shared among the campaigns that touched its lead.", NoteKind.SCOPE)
    view.add("campaign_credited_pipeline", campaigns["credited_pipeline"].sum())
    view.add("campaign_credited_revenue", campaigns["credited_revenue"].sum())
    if cost == 0 and not costed.empty:
        view.not_applicable("campaign_credited_roi", f"{FREE}: the campaigns in {quarter} with "
                            "a cost recorded cost nothing.")
    else:
        view.add("campaign_credited_roi",
                 safe_ratio(costed["credited_revenue"].sum() - cost, cost),
                 why=view.figures["campaign_cost"].reason or f"No campaign ran in {quarter}.")
