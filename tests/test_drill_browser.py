"""In a real browser, the records behind a figure add up to it: the closed-won card's deals
(a dialog), a funnel bar's leads and a campaign row's leads (panels), each checked against
what `relay report` prints for the figure and against the CSV the page downloads. Every wait
is on the app's state (settle, expect), never a sleep."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from relay import format as fmt
from test_browser import (  # noqa: F401  (pytest fixtures, used by name)
    browser_context_args,
    browser_type_launch_args,
    chromium_present,
    open_page,
    report,
    server,
    settle,
)


def _download_rows(page, scope) -> list[dict]:
    with page.expect_download() as download:
        scope.locator("[data-testid=stDownloadButton]").filter(
            has_text="Download these records").first.click()
    return list(csv.DictReader(io.StringIO(download.value.path().read_text())))


def _said(scope) -> str:
    """What the records say they are: "Closed-won: 337 deals · $21,571,600 in all"."""
    text = scope.locator("[data-testid=stMarkdownContainer]").filter(
        has_text=re.compile(r": [\d,]+ (deal|lead|campaign)")).first
    expect(text).to_be_visible()
    return text.inner_text().strip()


def test_the_closed_won_card_opens_the_deals_it_adds_up(page, server, capsys):  # noqa: F811 (the fixture)
    figure = report(server, "overview", capsys)["figures"]["closed_won"]
    assert figure["state"] == "known" and figure["value"] > 0
    open_page(page, server, "")
    page.locator(".st-key-drill_closed_won button").click()
    dialog = page.get_by_role("dialog")
    said = _said(dialog)
    assert said.startswith("Closed-won: ") and said.endswith(
        f" · {fmt.money_exact(figure['value'])} in all")
    rows = _download_rows(page, dialog)
    count = int(re.search(r": ([\d,]+) deals?", said).group(1).replace(",", ""))
    assert len(rows) == count
    assert sum(float(row["amount"]) for row in rows) == pytest.approx(figure["value"])


def test_a_funnel_bar_opens_the_leads_it_counts(page, server, capsys):  # noqa: F811 (the fixture)
    figures = report(server, "funnel", capsys)["figures"]
    mqls = figures["funnel_mqls"]["value"]
    open_page(page, server, "funnel")
    chart = page.locator("[data-testid=stPlotlyChart]").first
    chart.scroll_into_view_if_needed()
    # The funnel's second bar is the MQLs; Plotly takes the click on its drag layer above it.
    box = chart.locator("g.point").nth(1).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    settle(page)
    assert _said(page) == f"MQLs this quarter: {fmt.count(mqls)} leads"
    rows = _download_rows(page, page)
    assert len(rows) == mqls and all(row["mql_at"] for row in rows)


def test_a_campaign_row_opens_its_leads(page, server, capsys):  # noqa: F811 (the fixture)
    campaigns = report(server, "campaigns", capsys)["tables"]["campaigns"]
    first = campaigns[0]
    assert first["leads"], "the demo's first campaign of the quarter has leads"
    open_page(page, server, "campaigns")
    table = page.locator(".st-key-campaigns_table [data-testid=stDataFrame]")
    expect(table).to_be_visible()
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    # The first row's selection box: left of the first column, under the header row.
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
    settle(page)
    assert _said(page) == (f"Leads from {first['name']} in the quarter: "
                            f"{fmt.count(first['leads'])} lead"
                            + ("s" if first["leads"] != 1 else ""))
    rows = _download_rows(page, page)
    assert len(rows) == first["leads"]
    assert {row["campaign"] for row in rows} == {first["name"]}
