"""Every overview figure on the hand-built store (tests/conftest.py), worked out by hand."""

import datetime as dt

import pytest

from conftest import AS_OF
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import forecast, overview
from relay.views.common import State

Q3 = Quarter(2026, 3)


@pytest.fixture
def company(fixture_cursor):
    return overview.build(fixture_cursor, Filters(Q3), AS_OF)


def test_revenue_target_closed_won_and_attainment(company):
    # Won with close date in Q3: D1 10,000 + D2 50,000. D7 closed 30 June (Q2).
    assert company.value("revenue_target") == 200_000
    assert company.value("closed_won") == 60_000
    assert company.value("attainment") == pytest.approx(0.3)
    assert company.value("remaining_target") == 140_000
    # 1 July to 15 August is 46 of the quarter's 92 days.
    assert company.value("quarter_elapsed") == pytest.approx(46 / 92)


def test_forecast_rollup_takes_each_reps_last_call_before_the_cutoff(company):
    # Ann's call of 10 Aug (35,000 / 50,000), not her 17 Aug one; Bob 40,000 / 60,000;
    # their manager Mia's own call is left out.
    assert company.value("submitters") == 2
    assert company.value("commit") == 75_000
    assert company.value("best_case") == 110_000


def test_overview_forecast_is_the_forecast_pages(company, fixture_cursor):
    # Open in Q3, not omitted: D4 30,000 (commit) and D5 40,000 (pipeline). At this day of
    # the look-back quarters commit converted at 100% and pipeline has no history
    # (tests/test_forecast.py works the rates out).
    assert company.value("open_pipeline") == 70_000
    assert company.value("weighted_pipeline") == pytest.approx(30_000)
    assert company.value("model_forecast") == pytest.approx(60_000 + 30_000)
    assert company.value("pipeline_coverage") == pytest.approx(70_000 / 140_000)
    page = forecast.current(fixture_cursor, Filters(Q3), AS_OF)
    for key in ("commit", "best_case", "open_pipeline", "weighted_pipeline", "model_forecast",
                "pipeline_coverage", "closed_won", "revenue_target"):
        assert company.value(key) == page.value(key), key
    assert company.tables["weighted_pipeline"].equals(page.tables["weighted_pipeline"])


def test_lead_stage_counts_against_goals(company):
    # MQL in Q3: L1, L3 (L2 was an MQL in June, L4 on 1 October). SQL in Q3: L1, L3.
    assert company.value("mqls") == 2
    assert company.value("mql_target") == 10
    assert company.value("sqls") == 2
    assert company.value("sql_target") == 4


def test_marketing_sourced_shares(company):
    # Created in Q3: D1 10,000, D3 20,000 (lost, still pipeline created), D4 30,000,
    # D5 40,000, D8 15,000; D6 is open and omitted. Only D1's lead came from a campaign.
    assert company.value("pipeline_created") == 115_000
    assert company.value("marketing_sourced_pipeline_share") == pytest.approx(10_000 / 115_000)
    # Closed-won 60,000, of which D1's 10,000 is marketing-sourced.
    assert company.value("marketing_sourced_revenue_share") == pytest.approx(10_000 / 60_000)


def test_trend_has_eight_quarters_of_target_and_closed_won(company):
    trend = company.tables["trend"]
    assert trend["quarter"].tolist() == [
        "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"
    ]
    by_quarter = trend.set_index("quarter")
    assert by_quarter["closed_won"].to_dict() == {
        "2024-Q4": 0, "2025-Q1": 0, "2025-Q2": 5_000, "2025-Q3": 0, "2025-Q4": 3_000,
        "2026-Q1": 1_000, "2026-Q2": 6_000 + 7_000, "2026-Q3": 60_000,
    }
    assert by_quarter.loc["2026-Q2", "revenue_target"] == 150_000
    assert by_quarter["revenue_target"].isna().sum() == 6


def test_region_filter_uses_the_regional_goal_and_falls_back_to_company_win_rates(
    fixture_cursor,
):
    na = overview.build(fixture_cursor, Filters(Q3, region="NA"), AS_OF)
    assert na.value("revenue_target") == 120_000
    assert na.value("closed_won") == 10_000
    assert na.value("commit") == 35_000  # Ann only
    assert na.value("open_pipeline") == 30_000
    assert na.value("weighted_pipeline") == pytest.approx(30_000)
    assert na.value("mqls") == 1
    assert na.value("mql_target") is None  # no regional MQL goal: not the company's
    assert na.value("pipeline_coverage") == pytest.approx(30_000 / 110_000)
    assert "company-wide" in na.tables["weighted_pipeline"]["rate_from"].iloc[0]


def test_a_breakdown_without_goals_says_so(fixture_cursor):
    emea = overview.build(fixture_cursor, Filters(Q3, region="EMEA", segment="Enterprise"),
                          AS_OF)
    assert emea.value("revenue_target") is None
    assert emea.value("attainment") is None
    assert emea.value("pipeline_coverage") is None
    assert emea.value("closed_won") == 50_000
    assert any("No revenue goal" in note.text for note in emea.notes)


def test_a_quarter_without_submissions_says_the_model_stands_alone(fixture_cursor):
    q4 = overview.build(fixture_cursor, Filters(Quarter(2026, 4)), AS_OF)
    assert q4.value("submitters") == 0
    assert q4.value("commit") is None
    assert q4.figures["commit"].reason == ("No rep has submitted a forecast for 2026-Q4 by 15 "
                                           "Aug 2026.")
    # D8 (best case, 15,000) closes in Q4; no deal of any category was open on the first
    # day of the look-back quarters: no rate, so no weighted pipeline (not $0).
    assert q4.value("open_pipeline") == 15_000
    assert q4.figures["weighted_pipeline"].state is State.UNKNOWN
    assert q4.figures["attainment"].state is State.NOT_APPLICABLE


def test_submissions_after_the_cutoff_count_once_the_day_has_come(fixture_cursor):
    later = overview.build(fixture_cursor, Filters(Q3), dt.date(2026, 8, 17))
    assert later.value("commit") == 99_000 + 40_000


def test_an_earlier_as_of_counts_only_what_had_happened_by_then(fixture_cursor):
    july = overview.build(fixture_cursor, Filters(Q3), dt.date(2026, 7, 31))
    # D1 closed on 1 August and D2 on 14 August: nothing was won by 31 July.
    assert july.value("closed_won") == 0
    # MQLs L1 (3 July) and L3 (6 July); SQL L1 (10 July) only - L3 became an SQL on 1 August.
    assert july.value("mqls") == 2 and july.value("sqls") == 1
    # Created by 31 July: D4 30,000, D1 10,000, D8 15,000, D3 20,000; D5 came on 1 August.
    assert july.value("pipeline_created") == 75_000
    assert july.value("quarter_elapsed") == pytest.approx(31 / 92)
