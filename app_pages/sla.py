"""Speed to lead: first touch against the agreed SLA, the MQLs waiting for one, and what
sales accepts."""

import streamlit as st

from relay import charts
from relay import format as fmt
from relay.fiscal import Phase
from relay.identity import Role
from relay.ui import cache, drill, flash, roles, shell, sla, widgets

context = shell.context()
st.title("Speed to lead")
st.caption(widgets.plain(f"{context.filters.describe()} · MQLs of the quarter up to "
                    f"{context.today:%d %b %Y}"))
flash.show_flash()
shell.need_data(context, ("leads",), "how fast MQLs get a first touch")
scope, rep = sla.breach_scope(context)
view = cache.view("sla", context.store_path, context.filters, context.today, rep=rep)
widgets.notes(view.notes)

widgets.metric_row(view, [("mqls_in_period", None), ("sla_hours", None),
                          ("median_speed_hours", None), ("p90_speed_hours", None),
                          ("within_sla_share", None), ("open_breaches", None),
                          ("acceptance_rate", None)],
                   context.settings.currency)
# The records behind the cards, narrowed to the rep the figures are (a viewer, who sees no
# lead by lead list here, opens no breaches).
drill.under_cards(context, view, ["mqls_in_period", None, None, None, None,
                                  "open_breaches" if scope else None, None],
                  drill.scope_of(context, rep=rep))

if context.filters.quarter.phase(context.today) is not Phase.FUTURE:
    if scope:
        sla.breach_list(view.tables["open_breaches"], context, own=scope == "own",
                        owns_none=rep == "", counted=view.figures["open_breaches"])
    else:
        roles.needs_role(Role.REP, "sees their own leads waiting for a first touch")

    weeks = view.tables["by_week"]
    if weeks["median_hours"].notna().any():
        left, right = st.columns(2)
        widgets.chart(charts.speed_by_week(weeks, view.value("sla_hours")), left)
        widgets.chart(charts.within_sla_by_week(weeks), right)

    st.subheader("By rep, team and region")
    sla.speed_tables(view)

    st.subheader("Lead quality: what sales rejected")
    acceptance = view.figures["acceptance_rate"]
    st.caption(widgets.plain(
        f"Acceptance rate {fmt.percent(acceptance.value)} (SALs ÷ MQLs of the quarter). "
        "Rejected leads by reason:" if acceptance.known else acceptance.reason))
    widgets.table(view.tables["rejections"],
                  column_config={"reason": "Reason", "leads": widgets.count_column("Leads")})

if roles.may(Role.PLANNER):
    sla.change_form(context, view.value("sla_hours"))
