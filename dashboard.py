"""Revenue Relay: the entry point. Draws the shared chrome and routes to the pages."""

import streamlit as st

from relay import PROJECT_ROOT, access_ui, identity, ui
from relay.pages import open_to

# A local file, not a Material icon: those are fetched from Google's font servers, which a
# company network may not reach.
st.set_page_config(page_title="Revenue Relay", page_icon=str(PROJECT_ROOT / "assets" /
                                                             "favicon.png"), layout="wide")

actor = access_ui.gate()
page = st.navigation([
    st.Page(page.path, title=page.title, icon=page.icon, default=index == 0)
    for index, page in enumerate(open_to(actor.role))
])
ui.start_shell()
try:
    page.run()
except identity.Refused as refused:  # a page offered what the role may not do: nothing written
    st.error(ui.plain(refused), icon=":material/lock:")
except Exception as error:  # the store failed under the page: corrupt, a full disk
    if not ui.show_store_failure(error):
        raise
