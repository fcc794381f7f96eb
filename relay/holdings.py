"""What the store holds, and so which figures it can support: the one place that decides
whether a figure is known, or unknown because the data behind it is missing.

A figure names what it needs (relay.metrics.Metric.needs); a view records it as unknown,
with the reason and what would make it measurable, when the store lacks any of it. A store
with no leads then shows "MQLs —  No leads in the store: …", never "MQLs 0".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import duckdb

from relay import sql


class Need(enum.Enum):
    """Data a figure cannot be measured without: (what is missing, what would supply it)."""

    DEALS = ("No deals in the store", "import deals on the Data page")
    LEADS = ("No leads in the store", "import leads on the Data page")
    MQL_DATES = ("No MQL dates in the leads", "import leads with an MQL date column")
    SAL_DATES = ("No SAL dates in the leads", "import leads with a SAL date column")
    SQL_DATES = ("No SQL dates in the leads", "import leads with an SQL date column")
    FIRST_TOUCH = ("No first-touch dates in the leads",
                   "import leads with a first-touch date column")
    CAMPAIGNS = ("No campaigns in the store", "import campaigns on the Data page")
    CAMPAIGN_LEADS = ("No lead is linked to a campaign",
                      "import leads with a campaign ID column")
    DEAL_LEADS = ("No deal is linked to a lead", "import deals with a lead ID column")
    CAMPAIGN_COSTS = ("No campaign has a cost recorded",
                      "import campaigns with an actual cost, or marketing spend")
    TOUCHES = ("No campaign touches in the store",
               "import campaign members (a HubSpot or Salesforce export) on the Data page")

    @property
    def missing(self) -> str:
        return self.value[0]

    @property
    def remedy(self) -> str:
        return self.value[1]


# The date a lead count of each stage is counted by: a column of counts ("mqls", "sqls") is
# unknown in every row when no lead records that date.
STAGE_DATES = {"mqls": Need.MQL_DATES, "sals": Need.SAL_DATES, "sqls": Need.SQL_DATES}


@dataclass(frozen=True)
class Holdings:
    """Row counts of what figures need (queries/store_holdings.sql). Only what a figure
    needs is counted: every cached view reads these counts, so a table counted here (the
    goals, say) would make every view recompute after each write to it."""

    deals: int = 0
    deal_history: int = 0
    leads: int = 0
    leads_with_mql_date: int = 0
    leads_with_sal_date: int = 0
    leads_with_sql_date: int = 0
    mqls_with_first_touch: int = 0
    leads_from_campaigns: int = 0
    deals_from_leads: int = 0
    campaigns: int = 0
    campaigns_with_cost: int = 0
    touches: int = 0

    def has(self, need: Need) -> bool:
        return {
            Need.DEALS: self.deals,
            Need.LEADS: self.leads,
            Need.MQL_DATES: self.leads_with_mql_date,
            Need.SAL_DATES: self.leads_with_sal_date,
            Need.SQL_DATES: self.leads_with_sql_date,
            Need.FIRST_TOUCH: self.mqls_with_first_touch,
            Need.CAMPAIGNS: self.campaigns,
            Need.CAMPAIGN_LEADS: self.leads_from_campaigns,
            Need.DEAL_LEADS: self.deals_from_leads,
            Need.CAMPAIGN_COSTS: self.campaigns_with_cost,
            Need.TOUCHES: self.touches,
        }[need] > 0

    def lacking(self, needs: tuple[Need, ...]) -> Need | None:
        """The first of `needs` the store lacks (the most basic: needs are listed from the
        table down to the column), or None when it has them all."""
        return next((need for need in needs if not self.has(need)), None)

    @property
    def history_recorded(self) -> bool:
        """Whether any deal has a recorded history (stage, amount and close-date changes):
        without one, a past day's pipeline is rebuilt from final values (hindsight)."""
        return self.deal_history > 0


def why_unknown(need: Need) -> str:
    """'No first-touch dates in the leads: import leads with a first-touch date column.'"""
    return f"{need.missing}: {need.remedy}."


def of(cursor: duckdb.DuckDBPyConnection) -> Holdings:
    row = sql.row(cursor, "store_holdings")
    return Holdings(**{key: int(value) for key, value in row.items()})


# A store that holds everything: for views built without a cursor's holdings (tests of one
# figure's arithmetic).
EVERYTHING = Holdings(**dict.fromkeys(Holdings.__dataclass_fields__, 1))
