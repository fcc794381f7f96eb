"""Serving for a deployment (serve.py, relay/serving.py): the security headers and the
metrics refusal, first as middleware on ASGI messages and then on the real server; the
websocket still opens through the middleware, and config.toml's allowedHosts still applies
under st.App; an error on a page shows a reference, never a traceback, and the server log
has the traceback under that reference; a store problem names the store's path to an admin
only.

The browser tests of serve.py (a forged sign-in cookie, the orderly stop) are in
test_deploy_browser.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import AS_OF, TEST_SECRETS, free_port, serve_dashboard  # noqa: F401
from relay import PROJECT_ROOT, serving, store
from relay.ui import widgets

SECURITY = {"x-frame-options": "DENY", "content-security-policy": "frame-ancestors 'none'"}


# -- The middleware, on ASGI messages ------------------------------------------------------

def call(scope: dict) -> tuple[list[dict], bool]:
    """The messages the middleware sends for one request, and whether the app was called."""
    sent: list[dict] = []
    called = []

    async def app(scope, receive, send):
        called.append(scope)
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/plain"),
                                    (b"x-frame-options", b"SAMEORIGIN")]})
            await send({"type": "http.response.body", "body": b"ok"})

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    # In a thread of its own: Playwright's sync API, used by earlier tests of the session,
    # leaves an event loop running in this one.
    failed = []
    runner = threading.Thread(target=lambda: _run(
        serving.DeploymentMiddleware(app)(scope, receive, send), failed))
    runner.start()
    runner.join()
    if failed:
        raise failed[0]
    return sent, bool(called)


def _run(coroutine, failed: list) -> None:
    try:
        asyncio.run(coroutine)
    except Exception as error:  # raised again in the test's thread
        failed.append(error)


def http(path: str, client: str) -> dict:
    return {"type": "http", "path": path, "client": (client, 50_000), "headers": []}


def headers_of(message: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in message["headers"]:
        found.setdefault(name.decode().lower(), []).append(value.decode())
    return found


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/data", "/_stcore/metrics"])
def test_every_http_response_gets_the_headers_once(path):
    sent, called = call(http(path, "127.0.0.1"))
    assert called
    headers = headers_of(sent[0])
    # The app's own X-Frame-Options gives way: exactly one of each.
    assert {name: headers[name] for name in SECURITY} == {
        name: [value] for name, value in SECURITY.items()}
    assert headers["content-type"] == ["text/plain"]


@pytest.mark.parametrize("client, path, refused", [
    ("127.0.0.1", "/_stcore/metrics", False),
    ("::1", "/_stcore/metrics", False),
    ("10.0.0.7", "/_stcore/metrics", True),
    ("203.0.113.5", "/_stcore/metrics/", True),
    ("203.0.113.5", "/relay/_stcore/metrics", True),  # under server.baseUrlPath
    ("2001:db8::1", "/_stcore/metrics", True),
    ("not-an-address", "/_stcore/metrics", True),
    ("203.0.113.5", "/_stcore/health", False),
    ("203.0.113.5", "/", False),
])
def test_the_metrics_are_served_to_loopback_clients_only(client, path, refused):
    sent, called = call(http(path, client))
    assert called is not refused
    assert sent[0]["status"] == (403 if refused else 200)
    assert headers_of(sent[0])["x-frame-options"] == ["DENY"]


def test_a_websocket_passes_through_untouched():
    scope = {"type": "websocket", "path": "/_stcore/stream", "client": ("203.0.113.5", 1),
             "headers": []}
    sent, called = call(scope)
    assert called and sent == []


# -- The real server ---------------------------------------------------------------------

def serve(store_path: Path, root: Path, secrets: str = TEST_SECRETS, **options):
    """serve.py (or `entry=`) on `store_path`; yields (process, url, log path)."""
    return serve_dashboard(store_path, root, secrets, user="deploy.test@example.com",
                           **options)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("deploy")
    # No page is opened here, so the store is never read; it need not exist.
    with serve(root / "unused.duckdb", root) as (_, url, _log):
        yield url


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict[str, list[str]], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _headers(error.headers), error.read()


def _headers(message) -> dict[str, list[str]]:
    return {name.lower(): message.get_all(name) for name in message.keys()}


@pytest.mark.parametrize("path, status", [("/", 200), ("/_stcore/health", 200),
                                          ("/data", 200), ("/media/no-such-file.png", 404)])
def test_the_server_sends_the_headers_on_every_response(server, path, status):
    code, headers, _ = fetch(server + path)
    assert code == status
    for name, value in SECURITY.items():
        assert headers[name] == [value]


def test_the_server_refuses_the_metrics_to_a_client_elsewhere(server):
    code, _, body = fetch(f"{server}/_stcore/metrics")
    assert code == 200 and b"session_events" in body  # from this machine
    # Through a proxy on this machine, uvicorn takes the client from X-Forwarded-For (it
    # trusts loopback proxies): a client elsewhere is refused.
    code, headers, body = fetch(f"{server}/_stcore/metrics",
                                {"X-Forwarded-For": "203.0.113.5"})
    assert code == 403 and b"session_events" not in body
    assert headers["x-frame-options"] == ["DENY"]


def websocket_handshake(url: str, host: str) -> str:
    """The status line the server answers a websocket upgrade sent with this Host."""
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall((
            "GET /_stcore/stream HTTP/1.1\r\n"
            f"Host: {host}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "\r\n").encode())
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(1024)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


def test_the_websocket_opens_through_the_middleware_and_config_toml_applies(server):
    port = server.rsplit(":", 1)[1]
    assert " 101 " in websocket_handshake(server, f"127.0.0.1:{port}")
    # .streamlit/config.toml allows loopback names only (Streamlit's default allows any):
    # under st.App it still refuses a rebound name.
    assert " 101 " not in websocket_handshake(server, f"rebound.example:{port}")


# -- Errors on a page ----------------------------------------------------------------------

def shown(elements) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", element.value) for element in elements)


def test_a_page_error_shows_a_reference_and_the_log_has_the_traceback(
        app_env, fixture_path, monkeypatch, caplog):
    app_env(fixture_path, AS_OF)

    def broken(*args, **kwargs):
        raise RuntimeError(f"details that are not for the page: {fixture_path}")

    monkeypatch.setattr(widgets, "metric_row", broken)
    serving.LOG.addHandler(caplog.handler)
    try:
        at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60).run()
    finally:
        serving.LOG.removeHandler(caplog.handler)
    assert len(at.exception) == 0
    message = shown(at.error)
    found = re.search(r"give your administrator the reference \*\*([0-9a-f]{8})\*\*", message)
    assert found, message
    assert "details that are not for the page" not in message and str(fixture_path) not in (
        message)
    [record] = [record for record in caplog.records if found.group(1) in record.getMessage()]
    assert record.levelno == logging.ERROR
    assert "details that are not for the page" in caplog.text
    assert "Traceback" in caplog.text and "in broken" in caplog.text


def test_a_refused_write_is_still_said_as_such(app_env, fixture_path, monkeypatch):
    from relay import identity

    app_env(fixture_path, AS_OF)

    def refused(*args, **kwargs):
        raise identity.Refused("Editing goals needs the planner role; you have viewer.")

    monkeypatch.setattr(widgets, "metric_row", refused)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60).run()
    assert shown(at.error) == "Editing goals needs the planner role; you have viewer."


@pytest.mark.parametrize("role, sees_path", [("admin", True), ("planner", False),
                                             ("viewer", False)])
def test_only_an_admin_reads_where_the_store_is(app_env, tmp_path, role, sees_path):
    missing = tmp_path / "hidden-place" / "company.duckdb"
    app_env(missing, AS_OF)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.secrets = {"local": {"role": role}}
    at.run()
    message = shown(at.error)
    assert "python -m relay demo" in message  # what to do, for everyone
    assert ("hidden-place" in message) is sees_path
    assert (str(missing) in message) is sees_path


def test_the_path_is_taken_out_of_every_store_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = Path("placed-here") / "company.duckdb"
    messages = []
    for path in (relative, relative.resolve()):  # as RELAY_DB may give it
        with pytest.raises(store.StoreError) as missing:
            store.open_store(path)
        messages.append(str(missing.value))
    relative.parent.mkdir()
    store.create(relative).close()
    held = store.open_store(relative)
    try:  # another process meets the lock, and DuckDB's details name the file too
        other = subprocess.run(
            [sys.executable, "-c", "import sys; from relay import store\n"
             "try: store.open_store(sys.argv[1])\n"
             "except store.StoreLocked as error: print(error); sys.exit(3)", str(relative)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    finally:
        held.close()
    assert other.returncode == 3, other.stderr
    messages.append(other.stdout.strip())
    cleaned = [store.without_path(message, relative) for message in messages]
    for message, shown_to_others in zip(messages, cleaned, strict=True):
        assert "placed-here" in message
        assert "placed-here" not in shown_to_others and str(tmp_path) not in shown_to_others
    assert cleaned[0].startswith("There is no store where it is configured. Build the demo")
    assert cleaned[2].startswith("The store is in use by another process")
