"""Missing is not zero: every page on a store that holds only deals, and on one whose leads
have no first-touch dates, shows a dash and the reason where the data can't support a
figure, never 0, 0%, −100%, "None" or a breach."""

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from conftest import AS_OF, PROJECT_ROOT
from relay import cli
from relay.ui.pages import PAGES

TIMEOUT = 60
VIEW_PAGES = [page.path for page in PAGES if page.name != "data"]
# What a figure the data can't support must never read as.
AS_IF_MEASURED = {"0", "0%", "−100%", "-100%", "$0", "0.0×"}
NOT_A_NUMBER = re.compile(r"\b(None|nan|NaN|n/a)\b")


def page(path: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()
    return at.switch_page(path).run()


def text_of(at: AppTest) -> str:
    elements = [*at.caption, *at.markdown, *at.info, *at.warning, *at.error, *at.subheader]
    return " ".join(re.sub(r"\\(.)", r"\1", str(element.value)) for element in elements)


def figures(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


@pytest.mark.parametrize("path", VIEW_PAGES)
def test_a_deals_only_store_shows_nothing_as_measured_that_it_lacks(app_env,
                                                                    deals_only_path, path):
    app_env(deals_only_path, AS_OF)
    at = page(path)
    assert not at.exception
    shown = figures(at)
    assert not {label: value for label, value in shown.items() if value in AS_IF_MEASURED}
    assert not NOT_A_NUMBER.findall(" ".join(shown.values()) + " " + text_of(at))


@pytest.mark.parametrize("path", VIEW_PAGES)
def test_leads_without_first_touch_dates_show_no_speed_and_no_breach(app_env,
                                                                    untouched_path, path):
    app_env(untouched_path, AS_OF)
    at = page(path)
    assert not at.exception
    shown = figures(at)
    assert not NOT_A_NUMBER.findall(" ".join(shown.values()) + " " + text_of(at))
    for label in ("Median speed", "90th percentile", "Within SLA", "Open breaches"):
        assert shown.get(label, "—") == "—", label
    if path.endswith("sla.py"):
        assert "No first-touch dates in the leads" in text_of(at)
        assert "breach" not in " ".join(str(s.value) for s in at.subheader).lower()


def test_the_report_says_why_a_figure_is_unknown(capsys, untouched_path, deals_only_path):
    assert cli.main(["report", "sla", "--db", str(untouched_path), "--quarter", "2026-Q3",
                     "--as-of", AS_OF.isoformat()]) == 0
    within = json.loads(capsys.readouterr().out)["figures"]["within_sla_share"]
    assert (within["value"], within["state"]) == (None, "unknown")
    assert within["reason"].startswith("No first-touch dates in the leads")
    assert cli.main(["report", "overview", "--db", str(deals_only_path), "--quarter",
                     "2026-Q3", "--as-of", AS_OF.isoformat()]) == 0
    shown = json.loads(capsys.readouterr().out)["figures"]
    assert shown["closed_won"]["value"] == 60_000  # D1 and D2, won in 2026-Q3 by 15 Aug
    assert shown["mqls"]["state"] == "unknown"
    assert shown["marketing_sourced_revenue_share"]["state"] == "unknown"
