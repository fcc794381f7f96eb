"""The quarterly planning meeting, start to finish on one page: review the quarter that just
closed, plan the next one for the company and every region or segment, agree, sign."""

import streamlit as st

from relay.filters import Filters
from relay.fiscal import Phase
from relay.identity import Role
from relay.ui import cache, flash, meeting, pack, roles, shell, widgets
from relay.views import meeting as meeting_view

context = shell.context()
planner = roles.may(Role.PLANNER)
start_month = context.settings.fiscal_year_start_month
st.title("Planning meeting")
choices = meeting_view.quarters_to_meet_on(context.today, start_month)
quarter = st.selectbox("Quarter to plan", choices,
                       index=choices.index(meeting_view.default_quarter(context.today,
                                                                        start_month)),
                       format_func=str, key="meeting_quarter")
reviewed = meeting_view.closed_before(quarter, context.today)
phase = quarter.phase(context.today)
st.caption(f"Reviews {reviewed}, plans {quarter}, company-wide and by region or segment.")
# In containers that are always drawn: a confirmation that comes and goes must not move the
# steps below, or the browser would take them for new tabs and go back to the first.
with st.container():
    flash.show_flash()
shell.need_data(context, ("deals",), "the quarter's review and the plan worked out from your "
                "history", planner_starts_here=True)

view = cache.view("meeting", context.store_path, Filters(quarter), context.today)
with st.container():
    widgets.notes(view.notes)
steps = st.tabs([f"1 · Review {reviewed}", f"2 · Plan {quarter}", "3 · Agree", "4 · Sign"])
with steps[0]:
    meeting.review(view, context.settings.currency, reviewed)
with steps[1]:
    if not planner:
        roles.needs_role(Role.PLANNER, "plans the quarter's goals")
    elif phase is Phase.CLOSED:
        st.caption(f"{quarter} is closed: its goals are kept as they were.")
    else:
        meeting.start(context, quarter, has_goals=not view.tables["goals"].empty)
        meeting.planner(context, quarter, view.tables["goals"])
with steps[2]:
    meeting.agree(context, view, quarter, phase, may_edit=planner)
with steps[3]:
    meeting.sign(view, quarter, phase, may_sign=planner)
    st.subheader("Take the pack away")
    pack.downloads(context, quarter)
