"""Revenue Relay: the entry point. Draws the shared chrome and routes to the pages.

`streamlit run dashboard.py` serves it as it is; `streamlit run serve.py` (`make run`) serves
it for a deployment (see serve.py)."""

import streamlit as st

from relay import PROJECT_ROOT, identity
from relay.ui import access, opened_store, shell, widgets
from relay.ui.pages import open_to

# A local file, not a Material icon: those are fetched from Google's font servers, which a
# company network may not reach.
st.set_page_config(page_title="Revenue Relay", page_icon=str(PROJECT_ROOT / "assets" /
                                                             "favicon.png"), layout="wide")

try:
    actor = access.gate()
    page = st.navigation([
        st.Page(page.path, title=page.title, icon=page.icon, default=index == 0)
        for index, page in enumerate(open_to(actor.role))
    ])
    shell.start_shell()
    page.run()
except identity.Refused as refused:  # a page offered what the role may not do: nothing written
    st.error(widgets.plain(refused), icon=":material/lock:")
except Exception as error:
    # The store failed under the page (corrupt, a full disk, gone): say so, the path for an
    # admin's eyes only. Anything else: a reference into the server log, no traceback.
    if not opened_store.show_store_failure(error):
        shell.show_error(error)
