"""The speed-to-lead page's lead-level and interactive parts: the breach list and the SLA."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from relay import contacts, identity, settings
from relay.identity import Role
from relay.ui import cache, flash, opened_store, roles, shell, widgets


def breach_scope(context: shell.Context) -> tuple[str | None, str | None]:
    """Whose waiting MQLs the page lists lead by lead: every rep's for a planner (or the one
    chosen here), a rep's own, nobody's for a viewer (who sees the figures). Returns the
    scope ("all", "own" or None) and the rep to narrow to: a person_id, "" for a rep who owns
    no MQLs (matching no lead), None for all."""
    reps = cache.sla_reps(context.store_path)
    if roles.may(Role.PLANNER):
        names = {name: person for person, name in reps.items()}
        widgets.warn_unknown_link_value("rep", list(names), "Rep")
        chosen = st.selectbox("Rep (for the open breaches)", ["All reps", *names], key="rep",
                              bind="query-params")
        return "all", names.get(chosen)
    if roles.may(Role.REP):
        return "own", next((person for person in cache.me(context.store_path) if person in reps),
                           "")
    return None, None


def breach_list(breaches: pd.DataFrame, context: shell.Context, own: bool,
                owns_none: bool) -> None:
    """The MQLs waiting for a first touch past the SLA, oldest first: all reps', or the
    acting rep's own."""
    whose = "Your leads waiting" if own else "Waiting"
    st.subheader(f"{whose} for a first touch ({len(breaches):,})")
    if own and owns_none:
        st.caption(widgets.plain(f"No MQL in the store is owned by you ({identity.acting_user()}): "
                                 "the people table matches you by email."))
    st.caption(f"MQLs of {context.filters.quarter} still waiting for a first touch past the "
               "SLA, oldest first. Pick an earlier quarter in the sidebar for older ones.")
    st.dataframe(contacts.with_links(breaches.head(widgets.MAX_ROWS)), hide_index=True,
                 column_order=["name", "company", "email_link", "phone_link", "age_hours",
                               "rep", "mql_at", "campaign", "title", "source", "region",
                               "segment", "lead_id"],
        column_config={**widgets.contact_columns(), "lead_id": "Lead", "rep": "Rep",
                       "age_hours": st.column_config.NumberColumn("Waiting (hours)",
                                                                  format="%.0f"),
                       "mql_at": st.column_config.DatetimeColumn("MQL since",
                                                                 format="YYYY-MM-DD HH:mm"),
                       "campaign": "Campaign", "source": "Source", "region": "Region",
                       "segment": "Segment"})
    st.download_button("Download the list (CSV)", lambda: widgets.csv_bytes(breaches),
                       file_name="open-breaches.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore")


def change_form(context: shell.Context, hours: float) -> None:
    with st.expander("Change the SLA"):
        with st.form("sla_setting", border=False):
            hours_value = st.number_input("Hours from MQL to first touch", min_value=0.1,
                                          max_value=336.0, value=hours, step=1.0)
            if st.form_submit_button("Save the SLA"):
                try:
                    settings.change(opened_store.connection(context.store_path), "sla_hours",
                                    str(hours_value))
                except ValueError as error:
                    st.error(widgets.plain(error))
                else:
                    flash.saved(f"The SLA is now {hours_value:g} hours (recorded in the audit "
                                "log).")
