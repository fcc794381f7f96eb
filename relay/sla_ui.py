"""The speed-to-lead page's lead-level and interactive parts: the breach list and the SLA."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from relay import identity, settings, ui


def breach_list(breaches: pd.DataFrame, context: ui.Context, own: bool) -> None:
    """The MQLs waiting for a first touch past the SLA, oldest first: all reps', or the
    acting rep's own."""
    whose = "Your leads waiting" if own else "Waiting"
    st.subheader(f"{whose} for a first touch ({len(breaches):,})")
    if own and not ui.me(context.store_path):
        st.caption(ui.plain(f"No one who owns MQLs has your email ({identity.acting_user()}) "
                            "in the store, so no leads are listed as yours."))
    st.caption(f"MQLs of {context.filters.quarter} still waiting for a first touch past the "
               "SLA, oldest first. Pick an earlier quarter in the sidebar for older ones.")
    st.dataframe(breaches.head(ui.MAX_ROWS), hide_index=True, column_order=[
        "lead_id", "rep", "age_hours", "mql_at", "campaign", "source", "region", "segment"],
        column_config={"lead_id": "Lead", "rep": "Rep",
                       "age_hours": st.column_config.NumberColumn("Waiting (hours)",
                                                                  format="%.0f"),
                       "mql_at": st.column_config.DatetimeColumn("MQL since",
                                                                 format="YYYY-MM-DD HH:mm"),
                       "campaign": "Campaign", "source": "Source", "region": "Region",
                       "segment": "Segment"})
    st.download_button("Download the list (CSV)", lambda: ui.csv_bytes(breaches),
                       file_name="open-breaches.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore")


def change_form(context: ui.Context, hours: float) -> None:
    with st.expander("Change the SLA"):
        with st.form("sla_setting", border=False):
            hours_value = st.number_input("Hours from MQL to first touch", min_value=0.1,
                                          max_value=336.0, value=hours, step=1.0)
            if st.form_submit_button("Save the SLA"):
                try:
                    settings.change(ui.connection(context.store_path), "sla_hours",
                                    str(hours_value))
                except ValueError as error:
                    st.error(ui.plain(error))
                else:
                    ui.saved(f"The SLA is now {hours_value:g} hours (recorded in the audit "
                             "log).")
