"""The demand waterfall, worked out by hand."""

import pandas as pd
import pytest

from conftest import AS_OF
from relay import planning, store, summaries
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import plan
from relay.views.common import State

RATES = {"win_rate": 0.25, "average_deal_size": 50_000, "lead_sourced_share": 1.0,
         "sql_to_opportunity": 0.8,
         "sal_to_sql": 0.5, "mql_to_sal": 0.4, "inquiry_to_mql": 0.2, "other_mqls": 30}


def test_waterfall_by_hand():
    # $1M ÷ $50K = 20 deals; ÷ 25% win rate = 80 opportunities and $4M pipeline;
    # ÷ 0.8 = 100 SQLs; ÷ 0.5 = 200 SALs; ÷ 0.4 = 500 MQLs.
    result = planning.waterfall(1_000_000, RATES)
    assert result.deals_won == pytest.approx(20)
    assert result.opportunities == pytest.approx(80)
    assert result.pipeline == pytest.approx(4_000_000)
    assert result.sqls == pytest.approx(100)
    assert result.sals == pytest.approx(200)
    assert result.mqls == pytest.approx(500)
    assert planning.as_goals(result, 0.25) == {
        "revenue": 1_000_000, "pipeline_closed": 4_000_000, "sqls": 100, "sals": 200, "mqls": 500,
        "win_rate": 0.25,
    }


def test_only_lead_sourced_opportunities_come_through_the_funnel():
    half = planning.waterfall(1_000_000, {**RATES, "lead_sourced_share": 0.5})
    assert half.opportunities == pytest.approx(80)
    assert half.lead_opportunities == pytest.approx(40)
    assert half.mqls == pytest.approx(250)


def test_goals_round_counts_up():
    odd = planning.waterfall(1_000_000, {**RATES, "average_deal_size": 30_000})
    assert planning.as_goals(odd, 0.25)["mqls"] == 834  # 833.3 MQLs: one more to find


def test_assumptions_are_measured_on_the_lookback_window(fixture_cursor):
    measured = planning.measure(fixture_cursor, Quarter(2026, 3), None, None, AS_OF, 4)
    # Closed 2025-Q3..2026-Q2: H1, H3, H6, D7 won; H2, H4 lost.
    assert measured["win_rate"].measured == pytest.approx(4 / 6)
    assert measured["win_rate"].cohort == 6
    assert measured["average_deal_size"].measured == pytest.approx((1 + 3 + 6 + 7) * 1000 / 4)
    # L2 became an MQL on 25 June (in the window) and a SAL on 1 July: cohort 1 of 1.
    assert (measured["mql_to_sal"].measured, measured["mql_to_sal"].cohort) == (1.0, 1)
    assert measured["sal_to_sql"].measured is None  # nobody reached SAL in the window
    assert measured["inquiry_to_mql"].measured == 1.0  # L2, from campaign C1
    assert measured["other_mqls"].measured == 0
    assert measured["win_rate"].measured_on == "company-wide, 2025-Q3–2026-Q2"
    assert measured["lead_sourced_share"].measured == 0  # the old deals had no lead


def test_a_thin_breakdown_uses_company_wide_rates_and_says_so(fixture_cursor):
    measured = planning.measure(fixture_cursor, Quarter(2026, 3), "EMEA", None, AS_OF, 4)
    assert measured["win_rate"].measured_on.startswith("company-wide")
    assert measured["other_mqls"].measured_on.startswith("EMEA")


def test_plan_view_with_overrides_and_campaign_supply(fixture_cursor):
    view = plan.build(fixture_cursor, Filters(Quarter(2026, 3)), AS_OF,
                      revenue_target=1_000_000,
                      overrides={k: v for k, v in RATES.items() if k != "inquiry_to_mql"})
    assert view.value("mqls_needed") == pytest.approx(500)
    assert view.value("pipeline_needed") == pytest.approx(4_000_000)
    # C1 runs 15 June - 15 July (31 days, 100 leads expected): 15 days in Q3 -> 48.39;
    # C2, 20-22 September, 50 leads, all in Q3. Measured inquiry -> MQL: 1 of 1.
    expected_leads = 100 * 15 / 31 + 50
    assert view.value("campaign_expected_leads") == pytest.approx(expected_leads)
    # Whole MQLs: 98.39 campaign MQLs are 98, so the parts add up to the gap on the page.
    assert view.value("campaign_mqls") == 98
    assert view.value("other_mqls") == 30
    assert view.value("mql_gap") == 500 - 98 - 30
    assumptions = view.tables["assumptions"].set_index("assumption")
    assert bool(assumptions.loc["win_rate", "overridden"])
    assert assumptions.loc["win_rate", "measured"] == pytest.approx(4 / 6)
    assert assumptions.loc["win_rate", "used"] == 0.25


def test_plan_defaults_to_the_stored_revenue_goal(fixture_cursor):
    view = plan.build(fixture_cursor, Filters(Quarter(2026, 3)), AS_OF, overrides=RATES)
    assert view.value("revenue_target") == 200_000
    assert view.value("mqls_needed") == pytest.approx(100)
    goals = view.tables["goals"].set_index("metric")
    assert goals.loc["revenue", "current_version"] == 1
    assert goals.loc["mqls", ["planned_target", "current_target"]].tolist() == [100, 10]
    targets, versions = plan.targets_and_versions(view)
    assert versions["pipeline_closed"] is None and versions["revenue"] == 1
    assert targets["sals"] == 200 * 200_000 / 1_000_000


@pytest.mark.parametrize("kwargs, message", [
    ({"revenue_target": -5, "overrides": RATES}, "above zero"),
    ({"revenue_target": "lots", "overrides": RATES}, "not a number"),
    ({"revenue_target": float("inf"), "overrides": RATES}, "above zero"),
    ({"overrides": {**RATES, "win_rate": 1.5}}, "at most 1"),
    ({"overrides": {**RATES, "average_deal_size": 0}}, "above zero"),
    ({"overrides": {**RATES, "other_mqls": float("inf")}}, "finite"),
    ({"overrides": {**RATES, "lead_sourced_share": 1.2}}, "from 0 to 1"),
    ({"overrides": {**RATES, "conversion": 0.5}}, "No assumption named conversion"),
    ({"overrides": {}}, "no history to measure it on"),
])
def test_bad_plans_say_why_and_leave_out_the_waterfall(fixture_cursor, kwargs, message):
    view = plan.build(fixture_cursor, Filters(Quarter(2026, 3)), AS_OF, **kwargs)
    assert message in " ".join(view.problems)
    assert not view.figures
    assert len(view.tables["assumptions"]) == len(planning.ASSUMPTIONS)


def test_a_breakdown_without_a_revenue_goal_needs_a_target(fixture_cursor):
    view = plan.build(fixture_cursor, Filters(Quarter(2026, 3), region="EMEA"), AS_OF,
                      overrides=RATES)
    assert "give a revenue target" in " ".join(view.problems)


def test_overrides_are_what_differs_from_the_measured_values(fixture_cursor):
    assumptions = plan.build(fixture_cursor, Filters(Quarter(2026, 3)), AS_OF,
                             overrides=RATES).tables["assumptions"]
    edited = assumptions.copy()
    edited["used"] = edited["measured"]
    edited.loc[edited["assumption"] == "win_rate", "used"] = 0.5
    assert plan.overrides_from(edited)["win_rate"] == 0.5
    assert "mql_to_sal" not in plan.overrides_from(edited)


def test_the_cards_show_the_counts_the_plan_saves(fixture_cursor):
    # $1M ÷ $30K = 33.3 deals → 34; ÷ 0.25 = 133.3 opportunities → 134; ÷ 0.8 = 166.7 SQLs
    # → 167; ÷ 0.5 = 333.3 SALs → 334; ÷ 0.4 = 833.3 MQLs → 834: each rounded up, as saved.
    view = plan.build(fixture_cursor, Filters(Quarter(2026, 3)), AS_OF, revenue_target=1_000_000,
                      overrides={**RATES, "average_deal_size": 30_000})
    targets, _ = plan.targets_and_versions(view)
    assert (view.value("deals_won_needed"), view.value("opportunities_needed")) == (34, 134)
    assert [view.value(f"{stage}_needed") for stage in ("sqls", "sals", "mqls")] == [167, 334, 834]
    assert [targets[stage] for stage in ("sqls", "sals", "mqls")] == [167, 334, 834]
    assert view.value("pipeline_needed") == targets["pipeline_closed"] == 4_000_000


def test_a_store_without_leads_plans_down_to_the_opportunities(fixture_path):
    connection = store.open_store(fixture_path)
    connection.execute("update deals set lead_id = null")
    connection.execute("delete from leads")
    summaries.refresh(connection, ["leads"])  # by hand
    cursor = connection.cursor()
    deal_rates = {"win_rate": 0.25, "average_deal_size": 50_000}
    view = plan.build(cursor, Filters(Quarter(2026, 3)), AS_OF, revenue_target=1_000_000,
                      overrides=deal_rates)
    assert not view.problems
    # $1M ÷ $50K = 20 deals; ÷ 0.25 = 80 opportunities and $4M pipeline.
    assert (view.value("deals_won_needed"), view.value("opportunities_needed"),
            view.value("pipeline_needed")) == (20, 80, 4_000_000)
    no_leads = "No leads in the store: import leads on the Data page."
    for key in ("lead_opportunities_needed", "sqls_needed", "sals_needed", "mqls_needed",
                "mql_gap", "other_mqls"):
        assert (view.figures[key].state, view.figures[key].reason) == (State.UNKNOWN, no_leads)
    assumptions = view.tables["assumptions"].set_index("assumption")
    # The share of deals from a lead is unknown without leads, not 0%.
    assert pd.isna(assumptions.loc["lead_sourced_share", "measured"])
    assert assumptions.loc["lead_sourced_share", "measured_shown"] == "—"
    assert assumptions.loc["lead_sourced_share", "measured_on"] == no_leads
    assert view.tables["goals"]["metric"].tolist() == ["revenue", "pipeline_closed", "win_rate"]
    connection.close()
