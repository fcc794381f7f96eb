"""Revenue Relay: the entry point. Draws the shared chrome and routes to the pages."""

import streamlit as st

from relay import PROJECT_ROOT, ui

# A local file, not a Material icon: those are fetched from Google's font servers, which a
# company network may not reach.
st.set_page_config(page_title="Revenue Relay", page_icon=str(PROJECT_ROOT / "assets" /
                                                             "favicon.png"), layout="wide")

page = st.navigation([
    st.Page("app_pages/overview.py", title="Executive overview", icon=":material/monitoring:",
            default=True),
    st.Page("app_pages/forecast.py", title="Forecast", icon=":material/query_stats:"),
    st.Page("app_pages/goals.py", title="Joint goals", icon=":material/flag:"),
    st.Page("app_pages/funnel.py", title="Demand funnel", icon=":material/filter_alt:"),
    st.Page("app_pages/sla.py", title="Speed to lead", icon=":material/timer:"),
    st.Page("app_pages/campaigns.py", title="Campaign performance", icon=":material/campaign:"),
    st.Page("app_pages/calendar.py", title="Campaign calendar", icon=":material/calendar_month:"),
    st.Page("app_pages/planner.py", title="Demand planner", icon=":material/account_tree:"),
    st.Page("app_pages/data.py", title="Data", icon=":material/database:"),
])
ui.start_shell()
page.run()
