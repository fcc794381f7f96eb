"""Two dashboards served as replicas of one PostgreSQL store, in a real browser: a goal
saved on one shows on the other once it polls, and the same goal saved on the other from
the version it had loaded is refused with a clear message."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from conftest import AS_OF, TEST_SECRETS, serve_dashboard
from relay import replica
from test_browser import (  # noqa: F401  (pytest fixtures, used by name)
    Server,
    browser_context_args,
    browser_type_launch_args,
    chromium_present,
    edit_goal_target,
    open_page,
    shown_metrics,
)
from tests.postgres import postgres_server, shared_url  # noqa: F401 (fixtures)
from tests.test_postgres import shared  # noqa: F401 (a fixture)

GOAL = "Closed-won revenue · company-wide"
WAIT_SECONDS = 60


def test_two_served_replicas_share_a_goal_and_refuse_the_second_save(
        page, context, shared, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv(replica.URL_ENV, shared)
    monkeypatch.setenv(replica.POLL_ENV, "0.5")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with serve_dashboard(tmp_path / "one.duckdb", tmp_path / "one", TEST_SECRETS,
                         today=AS_OF.isoformat()) as (_, one, _), \
            serve_dashboard(tmp_path / "two.duckdb", tmp_path / "two", TEST_SECRETS,
                            today=AS_OF.isoformat()) as (_, two, _):
        first, second = Server(one, tmp_path), Server(two, tmp_path)
        other = context.new_page()
        # Both open the quarter's goals, at the same version.
        open_page(page, first, "goals", "quarter=2026-Q3")
        open_page(other, second, "goals", "quarter=2026-Q3")
        edit_goal_target(page, GOAL, "250000")
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_test_id("stAlert").filter(has_text="Saved 1 goal.")).to_be_visible()
        # The other saves the same goal from the version it loaded: refused, nothing saved.
        edit_goal_target(other, GOAL, "260000")
        other.get_by_role("button", name="Save changes").click()
        expect(other.get_by_test_id("stAlert").filter(
            has_text="after you loaded it")).to_be_visible()
        # The first save shows on the second replica once it has polled.
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            open_page(other, second, "", "quarter=2026-Q3")
            shown = shown_metrics(other)["Revenue target"]
            if shown == "$250K" or time.monotonic() > deadline:
                break
        assert shown == "$250K"
