"""Revenue Relay: the entry point. Draws the shared chrome and routes to the pages."""

import streamlit as st

from relay import PROJECT_ROOT, ui
from relay.pages import PAGES

# A local file, not a Material icon: those are fetched from Google's font servers, which a
# company network may not reach.
st.set_page_config(page_title="Revenue Relay", page_icon=str(PROJECT_ROOT / "assets" /
                                                             "favicon.png"), layout="wide")

page = st.navigation([
    st.Page(page.path, title=page.title, icon=page.icon, default=index == 0)
    for index, page in enumerate(PAGES)
])
ui.start_shell()
page.run()
