"""Campaign performance: what each campaign and channel cost and produced, down to revenue."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from relay import holdings, sql
from relay.actuals import so_far_before
from relay.filters import Filters
from relay.metrics import safe_ratio
from relay.views.common import View

SUMS = ["actual_cost", "leads", "mqls", "sals", "sqls", "sourced_pipeline", "sourced_revenue"]


def _ratios(table: pd.DataFrame) -> pd.DataFrame:
    """Cost per lead and per SQL, ROI and acceptance. No cost recorded (or zero) means the
    cost-based figures are not available, never infinite."""
    cost = table["actual_cost"].where(table["actual_cost"] > 0)
    table["cost_per_lead"] = cost / table["leads"].where(table["leads"] > 0)
    table["cost_per_sql"] = cost / table["sqls"].where(table["sqls"] > 0)
    table["roi"] = (table["sourced_revenue"] - cost) / cost
    table["acceptance_rate"] = table["sals"] / table["mqls"].where(table["mqls"] > 0)
    return table.replace([np.inf, -np.inf], np.nan)


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date) -> View:
    view = View("campaigns", filters, as_of, holdings=holdings.of(cursor))
    campaigns = sql.frame(
        cursor, "campaign_performance", starts_on=filters.quarter.start,
        ends_before=filters.quarter.end, so_far_before=so_far_before(filters.quarter, as_of),
        region=filters.region, segment=filters.segment,
    )
    campaigns["actual_cost"] = campaigns["actual_cost"].astype(float)
    for column in ("sourced_pipeline", "sourced_revenue"):
        campaigns[column] = campaigns[column].astype(float)
    view.tables["campaigns"] = _ratios(campaigns)
    # A channel's cost-based figures use only its campaigns with a cost recorded, so that a
    # missing cost does not pass for a free campaign.
    costed = campaigns[campaigns["actual_cost"] > 0]
    by_channel = campaigns.groupby("channel", as_index=False)[SUMS[1:]].sum()
    costs = costed.groupby("channel")[["actual_cost", "leads", "sqls", "sourced_revenue"]].sum()
    by_channel["campaigns"] = by_channel["channel"].map(campaigns["channel"].value_counts())
    by_channel["actual_cost"] = by_channel["channel"].map(costs["actual_cost"])
    channel = _ratios(by_channel)
    for name, column in (("cost_per_lead", "leads"), ("cost_per_sql", "sqls")):
        channel[name] = channel["channel"].map(
            costs["actual_cost"] / costs[column].where(costs[column] > 0))
    channel["roi"] = channel["channel"].map(
        (costs["sourced_revenue"] - costs["actual_cost"]) / costs["actual_cost"])
    view.tables["channels"] = channel.sort_values("sourced_revenue", ascending=False,
                                                  ignore_index=True)

    view.add("campaigns_run", len(campaigns))
    view.add("campaign_cost", float(costed["actual_cost"].sum()))
    view.add("campaign_sourced_pipeline", float(campaigns["sourced_pipeline"].sum()))
    view.add("campaign_sourced_revenue", float(campaigns["sourced_revenue"].sum()))
    view.add("campaign_roi", safe_ratio(
        costed["sourced_revenue"].sum() - costed["actual_cost"].sum(),
        costed["actual_cost"].sum()))
    if (filters.region or filters.segment) and (
            campaigns["region"].isna() | campaigns["segment"].isna()).any():
        view.note("Campaigns for all regions or segments count only their leads in this "
                  "breakdown, but show their whole cost: it is not split.")
    missing = int((~(campaigns["actual_cost"] > 0)).sum())
    if missing:
        view.note(f"{missing} of {len(campaigns)} campaigns have no cost recorded: "
                  "their cost per lead, cost per SQL and ROI show as not available, "
                  "and the totals leave them out.")
    return view
