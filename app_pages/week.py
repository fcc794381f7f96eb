"""My week: one rep's leads waiting for a first touch, the campaigns about to bring them
leads, and their forecast call. Built for a phone: one column, the list first."""

import streamlit as st

from relay import format as fmt
from relay.identity import Role
from relay.ui import cache, flash, roles, shell, week, widgets
from relay.views import calendar
from relay.views import week as week_view
from relay.views.week import CAMPAIGN_RANGE

context = shell.context()
st.title("My week")
flash.show_flash()
shell.need_data(context, ("leads", "campaigns", "deals"), "a rep's waiting leads, coming "
                "campaigns and forecast call")

rep, why_none = week.chosen_rep(context)
if rep is None:
    st.info(widgets.plain(why_none), icon=":material/person_search:")
    st.stop()
view = cache.view("week", context.store_path, context.filters, context.today, rep=rep)
widgets.notes(view.notes)


def heading(title: str, key: str) -> None:
    figure = view.figures[key]
    st.subheader(f"{title} ({fmt.count(figure.value) if figure.known else fmt.MISSING})")
    if not figure.known:
        st.caption(widgets.plain(figure.reason))


heading("Waiting past the SLA", "my_waiting_past_sla")
st.caption(f"Your MQLs nobody has touched, whatever quarter they became MQLs in, waiting "
           f"longer than the "
           f"{fmt.hours(view.value('sla_hours'))} SLA, oldest first: call these first.")
week.lead_list(view.tables["waiting_past_sla"], "week_past_sla")

heading("Waiting, still inside the SLA", "my_waiting_within_sla")
week.lead_list(view.tables["waiting_within_sla"], "week_within_sla")

span = view.tables["campaign_range"].iloc[0]
chosen = calendar.CalendarFilters(span["first_day"], span["last_day"], span["region"],
                                  span["segment"], preset=CAMPAIGN_RANGE)
st.subheader(f"Campaigns in the next 30 days ({len(view.tables['campaigns'])})")
expected = view.figures["my_expected_campaign_leads"]
st.caption(widgets.plain(
    f"Running or starting {chosen.describe()}: about "
    + (f"{fmt.count(expected.value)} leads expected to come to you." if expected.known else
       f"{fmt.MISSING} leads to you ({expected.reason}).")))
week.campaign_list(view.tables["campaigns"])
st.link_button("Open in the campaign calendar",
               calendar.view_link(shell.base_url(context), chosen),
               icon=":material/calendar_month:")

st.subheader("Your forecast call")
widgets.metric_row(view, [("my_commit", None), ("my_best_case", None)],
                   context.settings.currency)

person = view.tables["rep"].iloc[0]
if bool(person["is_manager"]) or roles.may(Role.PLANNER):
    st.subheader("Rep strengths")
    team = (tuple(week_view.team(cache.week_reps(context.store_path, None, None), rep)
                  ["person_id"]) if bool(person["is_manager"]) else ())
    strengths = cache.view("strengths", context.store_path, context.filters, context.today,
                           reps=team)
    widgets.notes(strengths.notes)
    widgets.metric_row(strengths, [("strength_mqls", None), ("strength_mql_to_sql", None),
                                   ("strength_mql_to_won", None)], context.settings.currency)
    week.strengths_table(strengths)
