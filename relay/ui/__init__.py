"""The Streamlit layer: everything that imports Streamlit lives in this package, and nothing
below it does (tests/test_layers.py holds both).

- opened_store: the dashboard's one connection to the store, its cursors, forgetting cached
  figures after a write, and a store that fails
- cache: the cached page data
- shell: the shell every page starts with (demo banner, global filters, empty-store guidance)
- flash: the confirmation after a save
- roles: what the person acting may do, as pages ask it
- signin: who acts in a dashboard session (st.user and the secrets' rules)
- widgets: small drawing helpers the pages share (escaped text, figures, link checks)
- pages: the page registry (the Plotly figures are relay/charts.py, below this layer:
  the review pack draws them too)
- access, calendar, data, forecast, goals, sla: each page's own glue
"""

from relay import identity
from relay.ui import signin

# Write functions below this layer ask identity.current() who acts; only this layer can tell
# it from a dashboard session, so it says how once, when the dashboard loads it.
identity.find_dashboard_actor(signin.session_actor)
