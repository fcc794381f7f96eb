"""serve.py for real, in a browser (Playwright, Debian's Chromium, as test_browser.py):

- A sign-in cookie forged with the example file's cookie_secret, signed exactly as Streamlit
  1.67 signs its `_streamlit_user` cookie (itsdangerous, salted with the cookie's name) and
  naming an admin with a verified email, reaches nothing: every page, the Data page's
  address too, shows the refusal of the configuration. The same forgery with a secret the
  dashboard accepts does get in as that admin, which is what makes the first half mean
  something (and why the secret must be secret).
- An orderly stop is durable: an import the command line hands to the running dashboard
  sits in the store's WAL; after SIGTERM the server exits, no WAL is left, and a copy of the
  .duckdb file alone holds the import. Served by serve.py (its lifespan) and by plain
  `streamlit run dashboard.py` (at exit) alike.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from itsdangerous import URLSafeTimedSerializer
from streamlit.web.server.server_util import AUTH_COOKIE_NAME
from streamlit.web.server.starlette import starlette_app_utils, starlette_websocket
from test_deploy import free_port, serve

from relay import PROJECT_ROOT, handoff, identity
from test_browser import (  # noqa: F401  (pytest fixtures, used by name)
    browser_context_args,
    browser_type_launch_args,
    chromium_present,
    settle,
)

WAIT_SECONDS = 90
ADMIN = "root@example.com"
OWN_SECRET = "a3f1c0de" * 8  # 64 characters, as `secrets.token_hex(32)` makes


def auth_secrets(port: int, cookie_secret: str) -> str:
    return f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{cookie_secret}"
client_id = "revenue-relay"
client_secret = "never used: nobody signs in through a provider here"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"

[roles]
default = "none"

[roles.emails]
"{ADMIN}" = "admin"
"""


def forged_cookie(secret: str, origin: str) -> str:
    """What Streamlit's /oauth2callback would set for an admin the provider vouched for:
    the user's claims plus origin and is_logged_in, as JSON, signed by itsdangerous with
    the cookie secret and the cookie's name as salt."""
    claims = {"sub": "forged", "email": ADMIN, "email_verified": True, "name": "Forged Admin",
              "iat": int(time.time()), "origin": origin, "is_logged_in": True,
              "provider": "default"}
    return URLSafeTimedSerializer(secret, salt=AUTH_COOKIE_NAME).dumps(json.dumps(claims))


def open_with_cookie(page, url: str, cookie: str, path: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": AUTH_COOKIE_NAME, "value": cookie, "url": url}])
    page.goto(f"{url}/{path}")


@pytest.mark.parametrize("path", ["", "data"])
def test_a_cookie_forged_with_the_example_secret_reaches_no_page(page, tmp_path, fixture_path,
                                                                 path):
    port = free_port()
    origin = f"http://localhost:{port}"
    cookie = forged_cookie(identity.EXAMPLE_COOKIE_SECRET, origin)
    # Streamlit itself would take the forgery for a sign-in: its verifier accepts it.
    decoded = starlette_app_utils.decode_signed_value(
        identity.EXAMPLE_COOKIE_SECRET, AUTH_COOKIE_NAME, cookie)
    user = starlette_websocket._parse_decoded_user_cookie(decoded, origin)
    assert user["is_logged_in"] is True and user["email"] == ADMIN
    with serve(fixture_path, tmp_path, auth_secrets(port, identity.EXAMPLE_COOKIE_SECRET),
               port=port) as (_, _url, log_path):
        # Said at start, in the server log, before anyone opens a page.
        assert "Every page will refuse to open: .streamlit/secrets.toml [auth] cookie_secret " \
               "is the example file's" in log_path.read_text()
        open_with_cookie(page, origin, cookie, path)
        # No h1 on the refusal: the page is ready once its alert is shown and the app idle.
        settle(page, ready="[data-testid=stAlert]")
        said = page.locator("[data-testid=stAlert]").all_inner_texts()
        assert len(said) == 1 and "cookie_secret is the example file's" in said[0]
        assert identity.MAKE_A_SECRET in said[0]
        assert page.locator("h1").count() == 0
        assert page.locator("[data-testid=stSidebarNavLink]").count() == 0
        assert page.get_by_role("tab", name="Import a file").count() == 0
        assert ADMIN not in page.locator("[data-testid=stApp]").inner_text()


def test_the_same_forgery_with_a_secret_the_dashboard_accepts_gets_in(page, tmp_path,
                                                                      fixture_path):
    port = free_port()
    origin = f"http://localhost:{port}"
    with serve(fixture_path, tmp_path, auth_secrets(port, OWN_SECRET), port=port) as (
            _, _url, log_path):
        assert "refuse" not in log_path.read_text()
        open_with_cookie(page, origin, forged_cookie(OWN_SECRET, origin), "data")
        settle(page)
        assert page.locator("h1").first.inner_text().strip() == "Data"
        assert f"({ADMIN})" in page.locator("[data-testid=stSidebarUserContent]").inner_text()


# serve.py stops in its lifespan; dashboard.py alone (plain `streamlit run`) at exit.
@pytest.mark.parametrize("entry", ["serve.py", "dashboard.py"])
def test_sigterm_leaves_every_write_in_the_store_file_and_no_wal(page, tmp_path, fixture_path,
                                                                 entry):
    served = tmp_path / "served.duckdb"
    shutil.copy(fixture_path, served)
    wal = served.with_name(served.name + ".wal")
    with duckdb.connect(str(served), read_only=True) as before:
        deals_before = before.execute("select count(*) from deals").fetchone()[0]
    with serve(served, tmp_path, entry=entry) as (process, url, log_path):
        page.goto(url)  # a session opens the store and starts its inbox worker
        settle(page)
        deadline = time.monotonic() + WAIT_SECONDS
        while not handoff.worker_alive(served):
            assert time.monotonic() < deadline, "the dashboard's inbox worker did not start"
            time.sleep(0.2)
        done = subprocess.run(
            [sys.executable, "-m", "relay", "import",
             str(PROJECT_ROOT / "data" / "samples" / "hubspot-deals.csv"), "--table", "deals",
             "--preset", "hubspot", "--db", str(served)],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "handing the job to it" in done.stderr
        # The dashboard wrote it: so far it is in the WAL only.
        assert wal.exists() and wal.stat().st_size > 0
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=WAIT_SECONDS)
        log = log_path.read_text()
    # uvicorn shuts down in order, then ends with the signal it caught (as a shell expects).
    assert process.returncode in (0, -signal.SIGTERM), log
    assert f"Closed the store {served.resolve()}" in log and "Traceback" not in log
    assert not wal.exists() or wal.stat().st_size == 0
    assert not (handoff.inbox(served) / handoff.HEARTBEAT).exists()
    alone = tmp_path / "alone" / "copy.duckdb"
    alone.parent.mkdir()
    shutil.copy(served, alone)  # the file without its WAL
    with duckdb.connect(str(alone), read_only=True) as copy:
        inserted = copy.execute("select inserted from import_runs where file_name = "
                                "'hubspot-deals.csv'").fetchall()
        deals_after = copy.execute("select count(*) from deals").fetchone()[0]
    assert inserted and inserted[0][0] > 0
    assert deals_after == deals_before + inserted[0][0]

