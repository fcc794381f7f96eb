"""Serving the dashboard as a deployment: the HTTP headers and routes Streamlit leaves open,
the orderly stop that leaves every write in the store file, and error references.

serve.py wires these into `st.App`; nothing here draws on a page.
"""

from __future__ import annotations

import atexit
import ipaddress
import logging
import secrets
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from relay import handoff, store

LOG = logging.getLogger("relay")


class _Stderr(logging.StreamHandler):
    """The process's standard error as it is when a record comes (not when this was made)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


if not LOG.handlers:  # the server log: Streamlit's and uvicorn's leave this logger out
    _handler = _Stderr()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    LOG.addHandler(_handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False

# On every HTTP response: no other site may show the dashboard in a frame (clickjacking).
SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
)
# Streamlit's own counters (sessions, cache sizes): for whoever runs the machine only.
METRICS_PATH = "/_stcore/metrics"


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DeploymentMiddleware:
    """ASGI middleware: the security headers on every HTTP response, and Streamlit's metrics
    refused (403) to any client that is not on this machine."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":  # the websocket and the lifespan pass as they are
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or (None, None)
        if (scope.get("path", "").rstrip("/").endswith(METRICS_PATH)
                and not _is_loopback(client[0])):
            await _refuse(send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                named = {name for name, _ in SECURITY_HEADERS}
                headers = [(name, value) for name, value in message.get("headers", [])
                           if name.lower() not in named]
                message = {**message, "headers": headers + list(SECURITY_HEADERS)}
            await send(message)

        await self.app(scope, receive, with_headers)


async def _refuse(send) -> None:
    body = b"Forbidden: the metrics are served to this machine only.\n"
    await send({"type": "http.response.start", "status": 403, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def stop() -> list:
    """Stop every inbox worker, then checkpoint and close every store the process holds open:
    afterwards the .duckdb file alone has every write and no WAL is left."""
    for path in store.held_paths():
        handoff.stop_worker(path)
    closed = store.close_held()
    for path in closed:
        LOG.info("Closed the store %s", path)
    return closed


_atexit_lock = threading.Lock()
_atexit_registered = False


def stop_at_exit() -> None:
    """The same stop when the interpreter exits: for `streamlit run dashboard.py`, which has
    no lifespan to call it."""
    global _atexit_registered
    with _atexit_lock:
        if not _atexit_registered:
            atexit.register(stop)
            _atexit_registered = True


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """The stop above when the server shuts down (Ctrl+C, SIGTERM): the end of serve.py's
    lifespan."""
    try:
        yield
    finally:
        stop()


def error_reference(error: BaseException) -> str:
    """Log an error the user will not see in full, with its traceback, under a short
    reference the user is shown instead; the reference."""
    reference = secrets.token_hex(4)
    LOG.error("Error reference %s: %s", reference, type(error).__name__,
              exc_info=(type(error), error, error.__traceback__))
    return reference
