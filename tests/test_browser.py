"""Every page in a real browser: it renders without an exception box or a console error,
its charts are drawn, its key figures are the ones `relay report` prints for the same
filters; the journeys users take end to end; and screenshots at projector and phone size.

The dashboard is served by Streamlit on a free port over a small demo store and driven by
Playwright in Debian's Chromium (/usr/bin/chromium, no browser download). Without Chromium
these tests are skipped locally, with how to enable them; in CI (CI=true) a missing browser
fails them instead: .ci/run installs it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from conftest import DEMO_AS_OF, TEST_SECRETS, serve_dashboard
from relay import PROJECT_ROOT, cli, store
from relay import format as fmt
from relay.views import calendar

CHROMIUM = Path(os.environ.get("RELAY_CHROMIUM", "/usr/bin/chromium"))
# Where the screenshots go: RELAY_SCREENSHOTS (docs/screenshots refreshes the README's set),
# else a folder of the test session.
SCREENSHOTS_ENV = "RELAY_SCREENSHOTS"
# Streamlit probes /<page>/_stcore/health and host-config before the app's own paths when a
# page is opened by its address; those two 404s are its own (streamlit/streamlit#7074).
STREAMLIT_PROBES = re.compile(r"/_stcore/(health|host-config)")
SETTLE_SECONDS = 90
# Every expect() waits as long as settle may: a save reruns the page and recomputes it from
# scratch, which takes more than Playwright's default 5 s on a busy machine. (The browser
# test modules that import from this one get it too.)
expect.set_options(timeout=SETTLE_SECONDS * 1000)


@pytest.fixture(scope="session", autouse=True)
def chromium_present():
    if CHROMIUM.exists():
        return
    message = (f"Chromium is not at {CHROMIUM}: install it (sudo apt-get install chromium) "
               "or set RELAY_CHROMIUM to a Chromium binary to run the browser tests.")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "accept_downloads": True,
            "viewport": {"width": 1920, "height": 1080}}


@dataclass(frozen=True)
class Server:
    url: str
    report_store: Path  # a copy of the served store as it started, for `relay report`


@contextlib.contextmanager
def streamlit_serving(store_path: Path, root: Path, secrets: str = TEST_SECRETS,
                      port: int | None = None):
    """The dashboard served on `store_path` on a free port (or `port`), with `secrets` as its
    secrets.toml (the machine's own is never read); yields its URL."""
    with serve_dashboard(store_path, root, secrets, port, today=DEMO_AS_OF.isoformat(),
                         user="browser.test@example.com") as (_, url, _):
        yield url


@pytest.fixture(scope="session")
def server(demo_path, tmp_path_factory, chromium_present) -> Server:
    root = tmp_path_factory.mktemp("browser")
    served = root / "served.duckdb"
    shutil.copy(demo_path, served)
    # The app holds the served store open (DuckDB: one writing process per file), so the
    # CLI reads a copy made before anything is changed.
    report_store = root / "report.duckdb"
    shutil.copy(demo_path, report_store)
    with streamlit_serving(served, root) as url:
        yield Server(url, report_store)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    chosen = os.environ.get(SCREENSHOTS_ENV)
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


PAGES = {
    # address path: (title, charts drawn with the default filters)
    "": ("Executive overview", 2),
    "forecast": ("Forecast", 1),
    "goals": ("Joint goals", 1),
    "funnel": ("Demand funnel", 2),
    "sla": ("Speed to lead", 1),
    "campaigns": ("Campaign performance", 1),
    "calendar": ("Campaign calendar", 2),
    "planner": ("Demand planner", 1),
    "data": ("Data", 0),
}


def open_page(page, server, path: str, query: str = "") -> list[str]:
    """Open a page by its address and wait until its script has finished; returns the
    console errors that are not Streamlit's own probes."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(
        f"{message.text} {message.location.get('url', '')}") if message.type == "error"
        else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/{path}" + (f"?{query}" if query else ""))
    settle(page)
    return [error for error in errors if not STREAMLIT_PROBES.search(error)]


# Whether the app has been idle, its script finished and nothing waiting to be drawn, for
# `quiet` milliseconds: a rerun can start just after a run ends (a widget's first value, a
# click's message still on its way), so one idle look is not enough. Evaluated in the page
# on every animation frame; the moment it turned idle is kept in `window`.
APP_QUIET = """quiet => {
    const app = document.querySelector("[data-testid=stApp]");
    const idle = app !== null
        && app.getAttribute("data-test-script-state") === "notRunning"
        && app.getAttribute("data-test-connection-state") === "CONNECTED"
        && document.querySelector("[data-testid=stSpinner], [data-testid=stSkeleton]") === null;
    if (!idle) {
        window.relayIdleSince = undefined;
        return false;
    }
    window.relayIdleSince ??= performance.now();
    return performance.now() - window.relayIdleSince >= quiet;
}"""
QUIET_MILLISECONDS = 1200


def settle(page, ready: str = "h1") -> None:
    """Wait until `ready` is on the page and the app has finished running and stayed idle
    for a moment."""
    page.wait_for_selector(ready, timeout=SETTLE_SECONDS * 1000)
    page.evaluate("window.relayIdleSince = undefined")
    page.wait_for_function(APP_QUIET, arg=QUIET_MILLISECONDS, timeout=SETTLE_SECONDS * 1000)


def shown_metrics(page) -> dict[str, str]:
    figures = {}
    for metric in page.locator("[data-testid=stMetric]").all():
        if metric.is_visible():
            label = metric.locator("[data-testid=stMetricLabel]").inner_text().strip()
            figures[label] = metric.locator("[data-testid=stMetricValue]").inner_text().strip()
    return figures


def drawn_charts(page) -> int:
    """Visible Plotly charts that have drawn their SVG."""
    charts = [chart for chart in page.locator("[data-testid=stPlotlyChart]").all()
              if chart.is_visible()]
    for chart in charts:
        assert chart.locator("svg.main-svg").count() > 0, "a chart did not draw"
    return len(charts)


def download_button(page, label: str):
    return page.locator("[data-testid=stDownloadButton]").filter(has_text=label).first


def report(server, view: str, capsys, *args: str) -> dict:
    code = cli.main(["report", view, "--db", str(server.report_store), "--as-of",
                     DEMO_AS_OF.isoformat(), *args])
    assert code == 0
    return json.loads(capsys.readouterr().out)


SIZES = {"projector": (1920, 1080), "phone": (390, 844)}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_cleanly_and_is_photographed(page, server, screenshot_dir, path,
                                                        size):
    """Each page at projector and phone size: its title, no exception, no browser error, its
    charts drawn; then a screenshot of the whole page, to look at (SCREENSHOTS_ENV keeps
    them)."""
    title, charts = PAGES[path]
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    errors = open_page(page, server, path)
    assert page.locator("h1").first.inner_text().strip() == title
    assert page.locator("[data-testid=stException]").count() == 0
    assert errors == []
    assert drawn_charts(page) >= charts
    # The app scrolls inside its main pane, not the window: grow the window to the pane's
    # height to capture the whole page.
    full = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(max(full, height), 9000)})
    settle(page)
    name = screenshot_dir / f"{path or 'overview'}-{size}.png"
    shot = Image.open(io.BytesIO(page.screenshot()))
    # 256 colours: a page is flat colour and text, and the set is kept in the repository.
    shot.quantize(colors=256).save(name, optimize=True)
    assert name.stat().st_size > 5_000, title


@pytest.mark.parametrize("view, path, query", [
    ("overview", "", ""),
    ("overview", "", "region=EMEA"),
    ("forecast", "forecast", ""),
    ("forecast", "forecast", "region=NA&segment=SMB"),
    ("funnel", "funnel", ""),
    ("sla", "sla", ""),
    ("campaigns", "campaigns", "segment=Enterprise"),
])
def test_key_figures_equal_the_cli_report(page, server, capsys, view, path, query):
    args = [arg for pair in re.findall(r"(\w+)=([^&]+)", query)
            for arg in (f"--{pair[0]}", pair[1])]
    figures = report(server, view, capsys, *args)["figures"]
    open_page(page, server, path, query)
    shown = shown_metrics(page)
    compared = 0
    for figure in figures.values():
        if figure["label"] in shown:
            assert shown[figure["label"]] == fmt.by_unit(figure["value"], figure["unit"]), (
                figure["label"])
            compared += 1
    assert compared >= 4


def test_forecast_tabs_draw_their_charts(page, server):
    open_page(page, server, "forecast")
    for tab, charts in (("How the call moved", 2), ("Track record", 1)):
        page.get_by_role("tab", name=tab).click()
        panel = page.get_by_role("tabpanel", name=tab)
        # Shown once the tab's panel holds its charts, each with its SVG drawn.
        expect(panel.get_by_test_id("stPlotlyChart").nth(charts - 1)).to_be_visible()
        expect(panel.locator("[data-testid=stPlotlyChart]:not(:has(svg.main-svg))")
               ).to_have_count(0)
        assert drawn_charts(page) >= charts, tab
        # Only the open tab is computed; the address keeps it, for a link to share.
        expect(page).to_have_url(re.compile(r"[?&]tab=" + tab.replace(" ", r"(\+|%20)")))


def test_a_rep_opens_a_calendar_link_and_downloads_it(page, server, capsys):
    first, last = calendar.date_range("next_90", DEMO_AS_OF)
    cli.main(["report", "calendar", "--db", str(server.report_store), "--as-of",
              DEMO_AS_OF.isoformat(), "--from", first.isoformat(), "--to", last.isoformat(),
              "--region", "EMEA", "--format", "csv"])
    expected = {row["campaign_id"] for row in csv.DictReader(io.StringIO(
        capsys.readouterr().out))}
    assert expected, "the demo has EMEA campaigns in the next 90 days"
    errors = open_page(page, server, "calendar", "region=EMEA&range=Next+90+days")
    assert errors == []
    assert page.get_by_role("combobox", name="Region").input_value() == "EMEA"
    assert page.get_by_role("combobox", name="Range").input_value() == "Next 90 days"
    with page.expect_download() as download:
        download_button(page, "Download the agenda (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert {row["campaign_id"] for row in rows} == expected
    assert {row["region"] for row in rows} == {"EMEA"}
    with page.expect_download() as download:
        download_button(page, "Add these campaigns to my calendar (.ics)").click()
    ics = download.value.path().read_text()
    assert ics.startswith("BEGIN:VCALENDAR") and ics.count("BEGIN:VEVENT") == len(expected)


def test_a_rep_filters_breaches_to_themselves(page, server, capsys):
    breaches = report(server, "sla", capsys)["tables"]["open_breaches"]
    rep = breaches[0]["rep"]
    own = [row for row in breaches if row["rep"] == rep]
    open_page(page, server, "sla", f"rep={rep.replace(' ', '+')}")
    assert f"Waiting for a first touch ({len(own):,})" in page.locator("h3").all_inner_texts()
    with page.expect_download() as download:
        download_button(page, "Download the list (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert {row["rep"] for row in rows} == {rep} and len(rows) == len(own)


def goal_grid(page):
    """The goals' grid: the page's first."""
    return page.locator("[data-testid=stDataFrame]").first


def goal_target_cell(page, goal: str):
    """The target cell of `goal`'s row in the goals' grid: "Edit target" for a planner,
    "Target" in the read-only grid others see. The grid draws on a
    canvas; glide-data-grid keeps a table of the same cells inside it for assistive
    technology (rows, gridcells with aria-colindex), whose cells take focus: found by text,
    never by place."""
    grid = goal_grid(page)
    column = grid.locator("[role=columnheader]", has_text=re.compile(r"^Edit target$"))
    if not column.count():  # the read-only grid: its target is the formatted column
        column = grid.locator("[role=columnheader]", has_text=re.compile(r"^Target$"))
    row = grid.locator("[role=row]").filter(has=page.locator(
        "[role=gridcell]", has_text=re.compile(f"^{re.escape(goal)}$")))
    index = column.get_attribute("aria-colindex")
    return row.locator(f"[role=gridcell][aria-colindex='{index}']")


def select_cell(grid, cell) -> None:
    """Make `cell` the selected cell of `grid`, as arrowing to it does. A grid focused with
    no cell selected selects its first cell, which would take the place of the one focused:
    so the grid is focused first, and `cell` once the grid has a selection."""
    grid.get_by_test_id("data-grid-canvas").focus()
    expect(grid.locator("[role=gridcell][aria-selected=true]")).to_have_count(1)
    cell.focus()
    expect(cell).to_have_attribute("aria-selected", "true")


def type_into_goal_target(page, goal: str, text: str) -> None:
    """Type `text` into a goal's target as a user does with the keyboard: select the cell,
    type, Enter. (A rep's gesture on the read-only grid: nothing may come of it.)"""
    settle(page)
    select_cell(goal_grid(page), goal_target_cell(page, goal))
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def edit_goal_target(page, goal: str, text: str) -> None:
    """Set a goal's target to `text` as a user does: select the cell, Enter opens its editor
    (an input the grid puts over the cell), type the new value, Enter; then wait until the
    grid shows it and the page offers to save it."""
    settle(page)
    cell = goal_target_cell(page, goal)
    select_cell(goal_grid(page), cell)
    page.keyboard.press("Enter")
    editor = page.locator("#portal [id^=gdg-overlay] input")
    editor.fill(text)
    editor.press("Enter")
    expect(cell).to_have_text(text)
    expect(page.get_by_role("button", name="Save changes")).to_be_enabled()


def test_a_planner_edits_a_goal_and_saves_it(page, server):
    # Next quarter's goals: the figure checks above read the current quarter.
    next_quarter = "2027-Q1"
    goal = "Closed-won revenue · company-wide"
    open_page(page, server, "goals", f"quarter={next_quarter}")
    edit_goal_target(page, goal, "31400000")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Saved 1 goal.")).to_be_visible()
    open_page(page, server, "", f"quarter={next_quarter}")
    assert shown_metrics(page)["Revenue target"] == "$31.4M"


SAMPLES = PROJECT_ROOT / "data" / "samples"


def test_a_new_store_fills_from_the_data_page_and_from_the_cli_while_the_app_runs(
        page, tmp_path_factory, chromium_present):
    root = tmp_path_factory.mktemp("imports")
    empty = root / "company.duckdb"
    store.create(empty).close()
    with streamlit_serving(empty, root) as url:
        served = Server(url, empty)
        open_page(page, served, "")
        assert "Import deals or goals or leads on the Data page" in page.locator(
            "[data-testid=stAlert]").first.inner_text()
        # By hand: the HubSpot export through the Data page.
        assert open_page(page, served, "data") == []
        page.get_by_label("CSV (UTF-8) or Excel (.xlsx) file").get_by_test_id(
            "stFileUploaderDropzoneInput").set_input_files(SAMPLES / "hubspot-deals.csv")
        settle(page)
        assert shown_metrics(page)["New"] == "36"
        page.get_by_role("button", name="Import 36 new or changed rows into deals").click()
        settle(page)
        # Nightly: the Salesforce export from the command line, while the app holds the store.
        done = subprocess.run(
            [sys.executable, "-m", "relay", "import", str(SAMPLES / "salesforce-deals.csv"),
             "--table", "deals", "--preset", "salesforce", "--db", str(empty)],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "handing the job to it" in done.stderr
        assert "40 rows: 40 new, 0 updated, 0 unchanged, 5 new people." in done.stdout
        # A file with errors: the report on stderr, exit 1, nothing written.
        broken = root / "broken.csv"
        broken.write_text("Record ID,Deal Stage,Close Date,Deal owner,Amount,Create Date\n"
                          "1,Closed Won,someday,Ann,10,2026-09-01\n", encoding="utf-8")
        refused = subprocess.run(
            [sys.executable, "-m", "relay", "import", str(broken), "--table", "deals",
             "--preset", "hubspot", "--db", str(empty)],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
        assert refused.returncode == 1
        assert "broken.csv, line 2, column 'Close Date': 'someday': not a date" in refused.stderr
        # The pages show both files: 312,000.75 + 176,250.75 closed-won in 2026-Q4.
        open_page(page, served, "")
        assert shown_metrics(page)["Closed-won"] == "$488K"
        open_page(page, served, "data")
        page.get_by_role("tab", name="Import history").click()
        # The history's grid, by its accessible table's text (the grid draws on a canvas).
        history = page.get_by_role("tabpanel", name="Import history").get_by_test_id(
            "stDataFrame").first
        for shown in ("salesforce-deals.csv", "hubspot-deals.csv", "refused"):
            expect(history).to_contain_text(shown)
