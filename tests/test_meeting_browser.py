"""The quarterly planning meeting played start to finish in a real browser, in local mode (one
laptop on the projector): open the meeting for next quarter, review the last one, plan from
a revenue target, split it across the regions, save, edit one goal, sign as marketing and as
sales (two people picked from their teams), see both signatures, download the pack, change
a goal and see the plan "changed since signed" with the change. Counts the clicks and typed
values it takes and the time, and prints them (pytest -s shows them).

The pack's figures are checked against `relay report` in tests/test_pack.py; here the
meeting downloads it and finds both signatures in it.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import DEMO_AS_OF
from test_browser import (  # noqa: F401  (fixtures: the browser, and Chromium's presence)
    Server,
    browser_context_args,
    browser_type_launch_args,
    chromium_present,
    open_page,
    select_cell,
    settle,
    streamlit_serving,
)

NEXT_QUARTER = "2027-Q1"  # the demo's today (22 Nov) is past the middle of 2026-Q4
REVIEWED = "2026-Q3"
# The goal the meeting edits: the first row of the sales goals' grid (a grid draws, and so
# lets a keyboard reach, only the rows in its window).
GOAL = "Pipeline closed (won + lost) · company-wide"


@pytest.fixture
def meeting_server(demo_path, tmp_path):
    """A server of its own on a fresh copy of the demo: the meeting writes goals and
    sign-offs, and every run of this test starts from the same store."""
    served = tmp_path / "meeting.duckdb"
    shutil.copy(demo_path, served)
    with streamlit_serving(served, tmp_path) as url:
        yield Server(url, served)


class Tally:
    """What the meeting asks of the person at the laptop: clicks and typed values."""

    def __init__(self, page):
        self.page, self.clicks, self.typed = page, 0, 0

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1
        settle(self.page)

    def tab(self, name: str) -> None:
        self.click(self.page.get_by_role("tab", name=name))

    def pick(self, label: str, option: str, then: str) -> None:
        """Open a select box and choose an option (two clicks), until the button `then` is
        enabled: a rerun that lands while the list is open (the page reruns once more
        after a save) closes it, and the person in the room picks again."""
        button = self.page.get_by_role("button", name=then)
        for _ in range(3):
            self.click(self.page.get_by_label(label, exact=True))
            choice = self.page.get_by_role("option", name=option)
            if choice.is_visible():
                self.click(choice)
            if button.is_enabled():
                return
        expect(button).to_be_enabled()

    def type_target(self, goal: str, text: str) -> None:
        """Edit a goal's target in the sales goals' grid as a user does: scroll to it, click
        the cell, Enter, type, Enter (one click and one typed value). The grid keeps its
        cells' accessible table only once it has been drawn on screen."""
        self.page.get_by_text("Sales goals", exact=True).filter(
            visible=True).scroll_into_view_if_needed()
        grid = _visible_grid(self.page, goal)
        cell = _target_cell(grid, goal)
        select_cell(grid, cell)
        self.clicks += 1
        self.page.keyboard.press("Enter")
        editor = self.page.locator("#portal [id^=gdg-overlay] input")
        expect(editor).to_be_visible()
        editor.fill(text)
        editor.press("Enter")
        self.typed += 1
        expect(cell).to_have_text(text)
        expect(self.page.get_by_role("button", name="Save changes")).to_be_enabled()


def _visible_grid(page, has_text: str):
    return page.locator("[data-testid=stDataFrame]").filter(visible=True).filter(
        has=page.locator("[role=gridcell]", has_text=re.compile(f"^{re.escape(has_text)}$")))


def _target_cell(grid, goal: str):
    column = grid.locator("[role=columnheader]", has_text="Edit target")
    row = grid.locator("[role=row]").filter(has=grid.page.locator(
        "[role=gridcell]", has_text=re.compile(f"^{re.escape(goal)}$")))
    index = column.get_attribute("aria-colindex")
    return row.locator(f"[role=gridcell][aria-colindex='{index}']")


def _alert(page, text: str):
    return page.get_by_test_id("stAlert").filter(has_text=text).filter(visible=True)


def test_the_whole_planning_meeting_in_the_room(page, meeting_server):
    started = time.monotonic()
    tally = Tally(page)
    open_page(page, meeting_server, "")
    tally.click(page.get_by_role("link", name="Planning meeting"))
    expect(page.get_by_role("heading", name="Planning meeting")).to_be_visible()

    # 1 · Review: last quarter's goals against the plan as the demo's leads signed it.
    expect(page.get_by_text(f"Goals hit in {REVIEWED}, against the plan as signed")
           ).to_be_visible()
    expect(page.get_by_text("What drove the misses")).to_be_visible()
    expect(_visible_grid(page, "Region furthest short of revenue")).to_have_count(1)
    expect(page.get_by_text(re.compile("Marketing lead:.*agreed by"))
           .filter(visible=True)).to_have_count(1)

    # 2 · Plan: a revenue target, split across the regions by their share; save it all.
    tally.tab(f"2 · Plan {NEXT_QUARTER}")
    target = page.get_by_label(f"Company revenue target for {NEXT_QUARTER} (whole USD)",
                           exact=True)
    target.fill("4000000")
    target.press("Enter")
    tally.typed += 1
    settle(page)
    split = _visible_grid(page, "Company")
    expect(split).to_have_count(1)
    reconciliation = _visible_grid(page, "Closed-won revenue")
    expect(reconciliation.locator("[role=gridcell]", has_text=re.compile("^Adds up$"))
           ).to_have_count(5)  # revenue, pipeline closed, MQLs, SALs, SQLs
    tally.click(page.get_by_role("button", name=f"Save as the {NEXT_QUARTER} goals: company "
                                                "and 4 regions"))
    expect(_alert(page, f"Saved the {NEXT_QUARTER} plan")).to_be_visible()

    # 3 · Agree: the region rows add up to the company for revenue and MQLs; edit a goal.
    tally.tab("3 · Agree")
    agreed = _visible_grid(page, "Regions")
    for goal in ("Closed-won revenue", "MQLs", "Pipeline closed (won + lost)"):
        row = agreed.locator("[role=row]").filter(has=page.locator(
            "[role=gridcell]", has_text=re.compile(f"^{re.escape(goal)}$")))
        expect(row.locator("[role=gridcell]", has_text=re.compile("^Adds up$"))
               ).to_have_count(1)
    tally.type_target(GOAL, "14000000")
    tally.click(page.get_by_role("button", name="Save changes"))
    expect(_alert(page, "Saved 1 goal.")).to_be_visible()

    # 4 · Sign: two people, one from each team, on the one laptop.
    tally.tab("4 · Sign")
    tally.pick("Who signs for marketing", "Zoe Dubois", then="Sign off as marketing lead")
    tally.click(page.get_by_role("button", name="Sign off as marketing lead"))
    expect(page.get_by_text(re.compile("Marketing lead:.*agreed by Zoe Dubois"))
           .filter(visible=True)).to_have_count(1)
    expect(page.get_by_role("button", name="Sign off as marketing lead")).to_have_count(0)
    tally.pick("Who signs for sales", "Boris Fernandes", then="Sign off as sales lead")
    tally.click(page.get_by_role("button", name="Sign off as sales lead"))
    expect(_alert(page, f"The {NEXT_QUARTER} plan is agreed by marketing and sales")
           ).to_be_visible()
    expect(page.get_by_text(re.compile("Sales lead:.*agreed by Boris Fernandes"))
           .filter(visible=True)).to_have_count(1)

    # Take the pack away: one file with the review, the plan and both signatures.
    with page.expect_download() as download:
        tally.click(page.get_by_role("button", name=f"Download the {NEXT_QUARTER} planning pack"))
    taken = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Zoe Dubois" in taken and "Boris Fernandes" in taken
    meeting_seconds = time.monotonic() - started
    meeting_clicks, meeting_typed = tally.clicks, tally.typed

    # A change after signing (later, someone opens the meeting again): the plan says so, and
    # what changed.
    open_page(page, meeting_server, "meeting")
    tally.tab("3 · Agree")
    tally.type_target(GOAL, "14500000")
    tally.click(page.get_by_role("button", name="Save changes"))
    tally.tab("4 · Sign")
    expect(_alert(page, "Changed since signed")).to_be_visible()
    changes = _visible_grid(page, GOAL)
    expect(changes.locator("[role=gridcell]", has_text=re.compile(r"^\$14\.0M → \$14\.5M$"))
           ).to_have_count(1)
    expect(page.get_by_text(re.compile("Marketing lead:.*changed since signed"))
           .filter(visible=True)).to_have_count(1)

    print(f"\nThe meeting ({DEMO_AS_OF}: review {REVIEWED}; plan, split, agree, sign "
          f"{NEXT_QUARTER}; take the pack): {meeting_clicks} clicks and {meeting_typed} typed "
          f"values in {meeting_seconds:.0f} s; with the change after signing: "
          f"{tally.clicks} clicks, {tally.typed} typed values in "
          f"{time.monotonic() - started:.0f} s.")
