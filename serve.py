"""Revenue Relay served for a deployment: `streamlit run serve.py` (what `make run` does).

The same dashboard as `streamlit run dashboard.py`, under Streamlit's ASGI app (`st.App`,
served by uvicorn), which adds what a deployment needs (relay/serving.py): a stop that
checkpoints and closes the store, so no write is left only in its WAL; headers that keep
other sites from framing the dashboard; Streamlit's metrics for this machine only; and an
uncaught error shown as a reference into the server log, never as a traceback.
.streamlit/config.toml and the --server.* and --secrets.files flags apply as with
dashboard.py.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from starlette.middleware import Middleware

from relay import serving


@asynccontextmanager
async def _lifespan(app: Any) -> AsyncIterator[None]:
    """At start (secrets are loaded by then), the check of the sign-in settings; at shutdown,
    serving's orderly stop of the store."""
    from relay.ui import signin

    signin.check_access_config()
    async with serving.lifespan(app):
        yield


def _on_script_error(error: Exception) -> bool:
    """An error that escaped the page (dashboard.py catches the pages' own): a reference
    instead of Streamlit's exception box."""
    from relay.ui import shell

    shell.show_error(error)
    return True  # Streamlit shows nothing more


app = st.App("dashboard.py", lifespan=_lifespan,
             middleware=[Middleware(serving.DeploymentMiddleware)],
             on_script_error=_on_script_error)
