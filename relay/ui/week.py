"""My week's picker and sections: whose week it is, and the lists a rep acts on."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from relay import identity
from relay.identity import Role
from relay.ui import cache, roles, shell, widgets
from relay.views import week
from relay.views.common import View
from relay.views.funnel import MIN_SIGNIFICANT


def chosen_rep(context: shell.Context) -> tuple[str | None, str]:
    """(person_id or None, what to say when None). A planner picks any sales person of the
    sidebar's region and segment (kept in the address as `rep`); a rep sees their own, and a
    manager picks among their own and their team's (a digest's links open them)."""
    everyone = cache.week_reps(context.store_path, None, None)
    if roles.may(Role.PLANNER):
        people = cache.week_reps(context.store_path, context.filters.region,
                                 context.filters.segment)
        names = week.rep_names(everyone, only=people["person_id"].tolist())
        if not names:
            return None, (f"No sales person in {context.filters.scope()}: pick another "
                          "region or segment in the sidebar.")
        widgets.warn_unknown_link_value("rep", list(names), "Rep")
        picked = st.selectbox("Rep", list(names), key="rep", bind="query-params",
                              help="The sales people of the sidebar's region and segment")
        return names.get(picked), ""
    mine = [person for person in cache.me(context.store_path)
            if person in set(everyone["person_id"])]
    if not mine:
        return None, (f"No sales person in the store is you ({identity.acting_user()}): the "
                      "people table matches you by email.")
    open_to = week.weeks_open_to(everyone, mine[0])
    if len(open_to) == 1:
        return mine[0], ""
    names = week.rep_names(everyone, only=open_to["person_id"].tolist())
    widgets.warn_unknown_link_value("rep", list(names), "Rep")
    picked = st.selectbox("Rep", list(names), key="rep", bind="query-params",
                          help="You and the people who report to you")
    return names.get(picked, mine[0]), ""


def lead_list(leads: pd.DataFrame, key: str) -> None:
    """A rep's waiting leads, who they are first, with mailto: and tel: links."""
    widgets.table(leads.head(widgets.MAX_ROWS), {
        **widgets.contact_columns(),
        "age_hours": st.column_config.NumberColumn("Waiting (hours)", format="%.0f"),
        "mql_at": st.column_config.DatetimeColumn("MQL since", format="YYYY-MM-DD HH:mm"),
        "campaign": st.column_config.TextColumn(
            "Campaign", help="A dash: the lead came from no campaign"),
        "source": "Source", "lead_id": "Lead",
    }, column_order=["name", "company", "email_link", "phone_link", "age_hours", "campaign",
                     "source", "title", "mql_at", "lead_id"], key=key)


def campaign_list(campaigns: pd.DataFrame) -> None:
    widgets.table(campaigns, {
        "name": "Campaign", "channel": "Channel", "status": "Status",
        "start_date": st.column_config.DateColumn("Starts", format="D MMM YYYY"),
        "end_date": st.column_config.DateColumn("Ends", format="D MMM YYYY"),
        "expected_to_rep": st.column_config.NumberColumn(
            "Leads to you", format="%.0f",
            help="Expected leads × your share of the leads of its region and segment over "
                 "the last 90 days. A dash: no expected leads, or no leads to share out"),
        "expected_leads": widgets.count_column("Expected leads",
                                               help="A dash: the campaign has no estimate"),
        "region": st.column_config.TextColumn("Region", help="A dash: all regions"),
        "segment": st.column_config.TextColumn("Segment", help="A dash: all segments"),
    }, column_order=["name", "expected_to_rep", "start_date", "end_date", "status", "channel",
                     "expected_leads", "region", "segment"], key="week_campaigns")


def strengths_table(view: View) -> None:
    """Each rep's conversion by channel and by lead source, thin cohorts marked."""
    marked = f"Fewer than {MIN_SIGNIFICANT} MQLs: too few to tell"
    config = {
        "rep": "Rep", "value": "Channel", "mqls": widgets.count_column("MQLs"),
        "sqls": widgets.count_column("SQLs"), "won": widgets.count_column("Won"),
        "mql_to_sql": widgets.percent_column("MQL → SQL", help="A dash: no MQLs"),
        "mql_to_won": widgets.percent_column("MQL → won", help="A dash: no MQLs"),
        "significant": st.column_config.CheckboxColumn("Enough to tell", help=marked),
    }
    order = ["rep", "value", "mqls", "sqls", "won", "mql_to_sql", "mql_to_won", "significant"]
    channel_tab, source_tab = st.tabs(["By channel", "By lead source"])
    with channel_tab:
        widgets.table(view.tables["by_channel"], config, column_order=order,
                      key="strengths_channel")
    with source_tab:
        widgets.table(view.tables["by_source"], {**config, "value": "Lead source"},
                      column_order=order, key="strengths_source")

