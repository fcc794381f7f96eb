"""My week on a phone (390 × 844), signed in for real as a sales development rep (their role
from their email's domain, as in test_signin_browser.py): it lists only their own leads
waiting past the SLA, with names and mailto: links, before anything else, in one column
that fits the screen; and its campaigns are the calendar's for their region and segment."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator

import duckdb
import pytest
import test_signin_browser as signin_helpers
from test_signin_browser import Person, SignInApp, _secrets, settled, sign_in

from conftest import DEMO_AS_OF, free_port
from test_browser import (  # noqa: F401  (pytest fixtures, used by name)
    browser_context_args,
    browser_type_launch_args,
    chromium_present,
    settle,
    shown_metrics,
    streamlit_serving,
)

pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

PHONE = {"width": 390, "height": 844}
SLA_HOURS = 24


def _busiest_sdr(connection) -> Person:
    """The SDR with the most leads waiting past the SLA in the demo's current quarter."""
    name, email = connection.execute(
        "select people.name, people.email from leads join people on person_id = owner_id "
        "where people.title = 'Sales Development Rep' and stage = 'mql' "
        "and first_touch_at is null "
        "and mql_at >= ? group by all order by count(*) desc, people.email limit 1",
        [dt.date(2026, 10, 1)]).fetchall()[0]
    return Person("subject-0101", name, email)


@pytest.fixture(scope="module")
def signin(demo_path, tmp_path_factory) -> Iterator[SignInApp]:
    root = tmp_path_factory.mktemp("week")
    served = root / "served.duckdb"
    shutil.copy(demo_path, served)
    with duckdb.connect(str(served), read_only=True) as connection:
        rep = _busiest_sdr(connection)
    users = [signin_helpers.User(sub=rep.sub, claims={
        "email": rep.email, "email_verified": True, "name": rep.name})]
    with signin_helpers.run_server_in_thread(port=0, user_claims=users) as provider:
        provider_url = f"http://localhost:{provider.server_port}"
        port = free_port()
        with streamlit_serving(served, root, secrets=_secrets(port, provider_url), port=port):
            yield SignInApp(f"http://localhost:{port}", provider_url, served, rep, rep)


def expected_breaches(store, email: str) -> list[tuple[str, str]]:
    """(name, email) of the rep's MQLs waiting past the SLA, whatever quarter they became
    MQLs in, oldest first, straight from the store."""
    now = dt.datetime.combine(DEMO_AS_OF + dt.timedelta(days=1), dt.time())
    with duckdb.connect(str(store), read_only=True) as connection:
        return connection.execute(
            "select leads.name, leads.email from leads join people on person_id = owner_id "
            "where people.email = ? and stage = 'mql' and mql_at < ? "
            "and (first_touch_at is null or first_touch_at >= ?) "
            "and epoch(?::timestamp - mql_at) / 3600 > ? order by mql_at, lead_id",
            [email, now, now, now, SLA_HOURS]).fetchall()


def grid_rows(grid) -> list[list[str]]:
    """A grid's rows as their cells' text, header first (its accessible table)."""
    return [row.locator("[role=columnheader], [role=gridcell]").all_inner_texts()
            for row in grid.locator("[role=row]").all()]


def show_everything(page) -> None:
    full = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": PHONE["width"], "height": min(max(full, 844), 9000)})
    settle(page)


def test_my_week_on_a_phone_shows_only_the_reps_own_breaches_and_their_calendar(page, signin,
                                                                                  demo_path):
    page.set_viewport_size(PHONE)
    sign_in(page, signin, signin.rep)
    page.goto(f"{signin.url}/week")
    settled(page)
    assert page.locator("h1").first.inner_text().strip() == "My week"
    breaches = expected_breaches(demo_path, signin.rep.email)  # the copy served holds its own
    assert breaches, "the demo gives the busiest SDR leads waiting past the SLA"
    headings = page.locator("h3").all_inner_texts()
    assert headings[0] == f"Waiting past the SLA ({len(breaches)})"

    # One column that fits the phone, the list first: no card or chart above it.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first_list = page.locator("[data-testid=stDataFrame]").first.bounding_box()
    cards = page.locator("[data-testid=stMetric]")
    assert all(cards.nth(i).bounding_box()["y"] > first_list["y"] for i in range(cards.count()))
    assert first_list["y"] < PHONE["height"]
    assert first_list["width"] <= PHONE["width"]

    # Only their own leads, oldest first, by name, each email a mailto: link. (A planner
    # picks a rep; a rep is offered no picker.)
    assert page.get_by_label("Rep").count() == 0
    show_everything(page)
    grid = page.locator("[data-testid=stDataFrame]").first
    rows = grid_rows(grid)
    assert rows[0][:3] == ["Name", "Company", "Email"]
    # The grid draws the rows its height holds (the heading counted them all): the oldest,
    # in order, each email cell a link to mailto: the lead's address (the cell shows the
    # address; its accessible text is the link).
    shown = [(row[0], row[2]) for row in rows[1:]]
    assert len(shown) >= min(len(breaches), 5)
    assert shown == [(name, f"mailto:{email}") for name, email in breaches[:len(shown)]]

    # Links into the app point where it is served (the demo sets no app_url).
    to_calendar = page.get_by_role("link", name="Open in the campaign calendar")
    assert to_calendar.get_attribute("href").startswith(f"{signin.url}/calendar?range=")

    # Its campaigns are the calendar's next 30 days in the rep's region (every segment).
    campaigns = [row[0] for row in grid_rows(page.locator("[data-testid=stDataFrame]").nth(2))[1:]]
    counted = next(heading for heading in headings if heading.startswith("Campaigns in the"))
    with duckdb.connect(str(demo_path), read_only=True) as connection:
        (region,) = connection.execute("select region from people where email = ?",
                                       [signin.rep.email]).fetchone()
    page.set_viewport_size(PHONE)
    page.goto(f"{signin.url}/calendar?region={region}")
    settled(page)
    show_everything(page)
    agenda = page.locator("[data-testid=stDataFrame]").last
    calendar_rows = grid_rows(agenda)
    name_column = calendar_rows[0].index("Campaign")
    assert campaigns == [row[name_column] for row in calendar_rows[1:]]
    assert campaigns
    assert counted == f"Campaigns in the next 30 days ({shown_metrics(page)['Campaigns in range']})"
