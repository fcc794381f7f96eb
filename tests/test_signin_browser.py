"""Sign-in for real, in a browser: Streamlit's OpenID Connect sign-in against a mock identity
provider on loopback (oidc-provider-mock), tried as a new user would try it.

A rep (their role given by their email's domain) signs in from the sign-in screen and finds
no way to the Data page, which needs an admin: it is not in the navigation and its address
opens the overview instead. They cannot edit goals either: the grid is read only, there is
no "Save changes", and a role written into the address is ignored. Signing out, through the
provider, brings the sign-in screen back. A planner (their role given by a group claim)
edits a goal, and both the goal table and the audit log name them by their email. The
planner's journey ends on a page whose sidebar shows who is signed in.

That a rep's call to a write function is refused, whatever a page offers, is proven in
test_access.py (test_every_write_function_refuses_a_role_below_its_own): a browser offers
no way to make that call.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from authlib.deprecate import AuthlibDeprecationWarning
from playwright.sync_api import expect

with warnings.catch_warnings():
    # The mock provider imports parts of Authlib that Authlib deprecates: not ours to fix.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from oidc_provider_mock import User, run_server_in_thread

from conftest import free_port
from relay import PROJECT_ROOT, demo
from relay.identity import Role
from relay.ui.pages import open_to
from test_browser import (  # noqa: F401  (pytest fixtures, used by name)
    browser_context_args,
    browser_type_launch_args,
    chromium_present,
    edit_goal_target,
    settle,
    streamlit_serving,
    type_into_goal_target,
)

# Authlib, inside the mock provider, warns of its own API on every token it issues.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

PLANNING_GROUP = "revenue-planning"
NEXT_QUARTER = "2027-Q1"  # planned, so the edit changes no figure of the current quarter
GOAL = "Closed-won revenue · company-wide"
NEW_TARGET = "31400000"
# The mock provider's pages take their style sheet from a CDN: a test never waits on the
# internet.
CDN = "https://cdn.jsdelivr.net/**"


@dataclass(frozen=True)
class Person:
    sub: str  # the provider's subject, and the button that signs them in on its page
    name: str
    email: str


@dataclass(frozen=True)
class SignInApp:
    url: str
    provider_url: str
    store: Path
    rep: Person
    planner: Person


def _person(connection, sub: str, title: str) -> Person:
    name, email = connection.execute(
        "select name, email from people where title = ? order by email limit 1", [title]
    ).fetchall()[0]
    return Person(sub, name, email)


def _secrets(app_port: int, provider_url: str) -> str:
    # "localhost" throughout, never 127.0.0.1: the auth cookie belongs to the host the
    # browser used, and Streamlit accepts it only from the origin of the redirect_uri.
    return f"""
[auth]
redirect_uri = "http://localhost:{app_port}/oauth2callback"
cookie_secret = "signs the test's auth cookies, nothing else"
client_id = "revenue-relay"
client_secret = "the mock provider accepts any"
server_metadata_url = "{provider_url}/.well-known/openid-configuration"

[roles]
default = "none"

[roles.domains]
"{demo.COMPANY_DOMAIN}" = "rep"

[roles.groups]
"{PLANNING_GROUP}" = "planner"
"""


@pytest.fixture(scope="module")
def signin(demo_path, tmp_path_factory) -> Iterator[SignInApp]:
    # chromium_present, autouse, has already skipped (or, in CI, failed) without a browser.
    root = tmp_path_factory.mktemp("signin")
    served = root / "served.duckdb"
    shutil.copy(demo_path, served)
    with duckdb.connect(str(served), read_only=True) as connection:
        # Opaque subjects, as real providers issue: the dashboard goes by the email.
        rep = _person(connection, "subject-0001", "Account Executive")
        planner = _person(connection, "subject-0002", "RevOps Manager")
    users = [
        User(sub=rep.sub, claims={"email": rep.email, "email_verified": True,
                                  "name": rep.name}),
        User(sub=planner.sub, claims={"email": planner.email, "email_verified": True,
                                      "name": planner.name, "groups": [PLANNING_GROUP]}),
    ]
    with run_server_in_thread(port=0, user_claims=users) as provider:
        provider_url = f"http://localhost:{provider.server_port}"
        # The port first: the redirect_uri in the secrets must name it.
        port = free_port()
        with streamlit_serving(served, root, secrets=_secrets(port, provider_url), port=port):
            yield SignInApp(f"http://localhost:{port}", provider_url, served, rep, planner)


def settled(page) -> None:
    settle(page)
    assert page.locator("[data-testid=stException]").count() == 0


def on_sign_in_screen(page) -> bool:
    return (page.locator("h1").first.inner_text().strip() == "Revenue Relay"
            and page.get_by_role("button", name="Sign in").is_visible()
            and page.locator("[data-testid=stSidebarNav]").count() == 0)


def sign_in(page, signin: SignInApp, person: Person) -> None:
    """From the sign-in screen, through the provider's page, back to the dashboard."""
    page.route(CDN, lambda route: route.abort())
    page.goto(f"{signin.url}/")
    settled(page)
    assert on_sign_in_screen(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: url.startswith(f"{signin.provider_url}/oauth2/authorize"))
    page.get_by_role("button", name=person.sub, exact=True).click()
    page.wait_for_url(f"{signin.url}/")
    settled(page)


def signed_in_as(page) -> str:
    return page.locator("[data-testid=stSidebarUserContent]").inner_text()


def assert_signed_in(page, person: Person, role: str) -> None:
    shown = signed_in_as(page)
    assert f"{person.name} ({person.email})" in shown
    assert f"\n{role} · " in shown


def navigation(page) -> list[str]:
    """The titles of the pages the sidebar links to (each link's text starts with its
    icon's name)."""
    return [text.strip().splitlines()[-1].strip() for text in
            page.locator("[data-testid=stSidebarNavLink]").all_inner_texts()]


def goal_rows(page) -> list[str]:
    """The first grid's rows as text, the header first: the grid draws on a canvas, its
    accessible table says what is in it."""
    return page.locator("[data-testid=stDataFrame]").first.locator(
        "[role=row]").all_inner_texts()


def editable_cells(page) -> int:
    return page.locator("[role=gridcell][aria-readonly=false]").count()


def alerts(page) -> str:
    return "\n".join(page.locator("[data-testid=stAlert]").all_inner_texts())


def test_a_rep_signs_in_and_finds_no_way_to_the_data_page_or_the_goal_editor(page, signin):
    sign_in(page, signin, signin.rep)
    assert page.locator("h1").first.inner_text().strip() == "Executive overview"
    assert_signed_in(page, signin.rep, "rep")
    assert navigation(page) == [shown.title for shown in open_to(Role.REP)]
    assert "Data" not in navigation(page)

    # By its address, the Data page is not there: Streamlit says so and runs the main page.
    page.goto(f"{signin.url}/data")
    settled(page)
    assert "Page not found" in page.get_by_role("dialog").inner_text()
    assert page.locator("h1").all_inner_texts() == ["Executive overview"]
    assert page.get_by_role("tab", name="Import a file").count() == 0
    assert_signed_in(page, signin.rep, "rep")

    # A role asked for in the address changes nothing.
    page.goto(f"{signin.url}/goals?quarter={NEXT_QUARTER}&role=planner")
    settled(page)
    assert page.locator("h1").first.inner_text().strip() == "Joint goals"
    assert "which is ignored" in alerts(page)
    assert page.locator("[role=gridcell]").count() > 0
    assert editable_cells(page) == 0
    captions = page.locator("[data-testid=stCaptionContainer]").all_inner_texts()
    assert "A planner edits goals and signs the plan off here; you have the rep role." in (
        captions)
    # Trying anyway: the read-only grid takes no typing and nothing offers a save.
    before = goal_rows(page)
    type_into_goal_target(page, GOAL, NEW_TARGET)
    assert goal_rows(page) == before
    for button in ("Save changes", "Sign off as marketing lead", "Sign off as sales lead"):
        assert page.get_by_role("button", name=button).count() == 0, button

    # Signing out goes through the provider's end of session and back to the sign-in screen.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: url.startswith(f"{signin.provider_url}/oauth2/end_session"))
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{signin.url}/")
    settled(page)
    assert on_sign_in_screen(page)
    # Signed out, a page's address leads to the sign-in screen too.
    page.goto(f"{signin.url}/goals")
    settled(page)
    assert on_sign_in_screen(page)


def test_a_planner_edits_a_goal_and_is_named_by_their_email(page, signin):
    sign_in(page, signin, signin.planner)
    assert_signed_in(page, signin.planner, "planner")
    assert "Data" not in navigation(page)

    page.goto(f"{signin.url}/goals?quarter={NEXT_QUARTER}")
    settled(page)
    assert editable_cells(page) > 0
    edit_goal_target(page, GOAL, NEW_TARGET)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Saved 1 goal.")).to_be_visible()
    settled(page)
    # "Last changed by": the email, the one name of a signed-in person that is verified.
    row = next(shown for shown in goal_rows(page) if shown.startswith(GOAL))
    assert NEW_TARGET in row and signin.planner.email in row

    # The audit log, through the command line: the dashboard holds the store and does the
    # export for it.
    done = subprocess.run(
        [sys.executable, "-m", "relay", "export", "--table", "audit_log", "--db",
         str(signin.store)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    edits = [entry for entry in csv.DictReader(io.StringIO(done.stdout))
             if entry["action"] == "goal.update" and NEW_TARGET in entry["after"]]
    assert [entry["actor"] for entry in edits] == [signin.planner.email]

    # Where the journey ends: a page that says who is signed in.
    assert page.locator("h1").first.inner_text().strip() == "Joint goals"
    assert_signed_in(page, signin.planner, "planner")
