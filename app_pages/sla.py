"""Speed to lead: first touch against the agreed SLA, the MQLs waiting for one, and what
sales accepts."""

import streamlit as st

from relay import format as fmt
from relay.identity import Role
from relay.ui import cache, charts, flash, roles, shell, sla, widgets

context = shell.context()
st.title("Speed to lead")
st.caption(widgets.plain(f"{context.filters.describe()} · MQLs of the quarter up to "
                    f"{context.today:%d %b %Y}"))
flash.show_flash()
shell.need_data(context, ("leads",), "how fast MQLs get a first touch")
scope, rep = sla.breach_scope(context)
view = cache.view("sla", context.store_path, context.filters, context.today, rep=rep)
widgets.notes(view.notes)

widgets.metric_row(view, [("sla_hours", None), ("median_speed_hours", None),
                          ("p90_speed_hours", None), ("within_sla_share", None),
                          ("open_breaches", None), ("acceptance_rate", None)],
                   context.settings.currency)

if scope:
    sla.breach_list(view.tables["open_breaches"], context, own=scope == "own",
                    owns_none=rep == "")
else:
    roles.needs_role(Role.REP, "sees their own leads waiting for a first touch")

weeks = view.tables["by_week"]
if len(weeks):
    widgets.chart(charts.speed_by_week(weeks, view.value("sla_hours")))

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

if roles.may(Role.PLANNER):
    sla.change_form(context, view.value("sla_hours"))
