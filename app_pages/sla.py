"""Speed to lead: first touch against the agreed SLA, the MQLs waiting for one, and what
sales accepts."""

import streamlit as st

from relay import charts, format as fmt, settings, ui

context = ui.context()
st.title("Speed to lead")
st.caption(ui.plain(f"{context.filters.describe()} · MQLs of the quarter up to "
                    f"{context.today:%d %b %Y}"))
ui.show_flash()
ui.need_data(context, ("leads",), "how fast MQLs get a first touch")
reps = ui.sla_reps(context.store_path)
names = {name: person for person, name in reps.items()}
ui.warn_unknown_link_value("rep", list(names), "Rep")
rep_name = st.selectbox("Rep (for the open breaches)", ["All reps", *names], key="rep",
                        bind="query-params")
view = ui.view("sla", context.store_path, context.filters, context.today,
               rep=names.get(rep_name))
for note in view.notes:
    st.warning(ui.plain(note), icon=":material/rule:")

ui.metric_row(view, [("sla_hours", None), ("median_speed_hours", None),
                     ("p90_speed_hours", None), ("within_sla_share", None),
                     ("open_breaches", None), ("acceptance_rate", None)],
              context.settings.currency)

breaches = view.tables["open_breaches"]
st.subheader(f"Waiting for a first touch ({len(breaches):,})")
st.caption(f"MQLs of {context.filters.quarter} still waiting for a first touch past the SLA, "
           "oldest first. Pick an earlier quarter in the sidebar for older ones.")
st.dataframe(breaches.head(ui.MAX_ROWS), hide_index=True, column_order=[
    "lead_id", "rep", "age_hours", "mql_at", "campaign", "source", "region", "segment"],
    column_config={"lead_id": "Lead", "rep": "Rep",
                   "age_hours": st.column_config.NumberColumn("Waiting (hours)", format="%.0f"),
                   "mql_at": st.column_config.DatetimeColumn("MQL since",
                                                             format="YYYY-MM-DD HH:mm"),
                   "campaign": "Campaign", "source": "Source", "region": "Region",
                   "segment": "Segment"})
st.download_button("Download the list (CSV)", lambda: ui.csv_bytes(breaches),
                   file_name="open-breaches.csv", mime="text/csv", icon=":material/download:",
                   on_click="ignore")

weeks = view.tables["by_week"]
if len(weeks):
    st.plotly_chart(charts.speed_by_week(weeks, view.value("sla_hours")),
                    config={"displayModeBar": False})

st.subheader("By rep, team and region")
median = st.column_config.NumberColumn("Median hours", format="%.1f")
p90 = st.column_config.NumberColumn("90th percentile hours", format="%.1f")
share = st.column_config.NumberColumn("Within SLA", format="percent")
for tab, dimension in zip(st.tabs(["Rep", "Team", "Region"]), ("rep", "team", "region"),
                          strict=True):
    tab.dataframe(view.tables[f"by_{dimension}"], hide_index=True, column_order=[
        "value", "mqls", "touched", "median_hours", "p90_hours", "within_sla_share",
        "open_breaches"],
        column_config={"value": dimension.capitalize(), "mqls": "MQLs", "touched": "Touched",
                       "median_hours": median, "p90_hours": p90, "within_sla_share": share,
                       "open_breaches": "Open breaches"})

st.subheader("Lead quality: what sales rejected")
st.caption(f"Acceptance rate {fmt.percent(view.value('acceptance_rate'))} (SALs ÷ MQLs of the "
           "quarter). Rejected leads by reason:")
st.dataframe(view.tables["rejections"], hide_index=True,
             column_config={"reason": "Reason", "leads": "Leads"})

with st.expander("Change the SLA"):
    with st.form("sla_setting", border=False):
        hours_value = st.number_input("Hours from MQL to first touch", min_value=0.1,
                                      max_value=336.0, value=view.value("sla_hours"), step=1.0)
        if st.form_submit_button("Save the SLA"):
            try:
                settings.change(ui.connection(context.store_path), "sla_hours",
                                str(hours_value))
            except ValueError as error:
                st.error(ui.plain(error))
            else:
                ui.saved(f"The SLA is now {hours_value:g} hours (recorded in the audit log).")
