"""A store whose leads record no SAL or SQL dates (or no MQL dates, or a store without deals):
every page calls the figures that need those dates unknown, with relay.holdings' reason, never
0, a missed goal or a planner error."""

import datetime as dt
import math

import pandas as pd
import pytest

from conftest import AS_OF
from relay import holdings, store, summaries
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.holdings import Need
from relay.views import calendar, campaign_performance, funnel, goals, overview, plan
from relay.views.common import State

Q3 = Filters(Quarter(2026, 3))
NO_SQL_DATES = "No SQL dates in the leads: import leads with an SQL date column."
NO_MQL_DATES = "No MQL dates in the leads: import leads with an MQL date column."
NO_DEALS = "No deals in the store: import deals on the Data page."


@pytest.fixture
def no_sql_dates(fixture_path):
    connection = store.open_store(fixture_path)
    connection.execute("update leads set sql_at = null")
    summaries.refresh(connection, ["leads"])  # by hand
    yield connection.cursor()
    connection.close()


def test_the_store_holdings_count_sal_and_sql_dates(fixture_path):
    connection = store.open_store(fixture_path)
    # The fixture: L1, L2, L3 have a SAL date; L1 and L3 an SQL date.
    held = holdings.of(connection.cursor())
    assert (held.leads_with_sal_date, held.leads_with_sql_date) == (3, 2)
    assert held.has(Need.SAL_DATES) and held.has(Need.SQL_DATES)
    connection.execute("update leads set sql_at = null")
    summaries.refresh(connection, ["leads"])  # by hand
    nulled = holdings.of(connection.cursor())
    assert nulled.has(Need.SAL_DATES) and not nulled.has(Need.SQL_DATES)
    connection.close()


def test_sqls_are_unknown_on_the_overview_and_the_funnel_alike(no_sql_dates):
    for view, key in ((overview.build(no_sql_dates, Q3, AS_OF), "sqls"),
                      (funnel.build(no_sql_dates, Q3, AS_OF), "funnel_sqls")):
        figure = view.figures[key]
        assert (figure.state, figure.value, figure.reason) == (
            State.UNKNOWN, None, NO_SQL_DATES), view.name


def test_a_goal_whose_dates_the_store_lacks_is_not_measured_not_missed(no_sql_dates):
    table = goals.build(no_sql_dates, Q3, AS_OF).tables["goals"].set_index("goal")
    sql_goal = table.loc["SQLs · company-wide"]
    assert pd.isna(sql_goal["actual"])
    assert (sql_goal["actual_shown"], sql_goal["status"], sql_goal["result"]) == (
        "—", "Not measured", f"Not measured: {NO_SQL_DATES}")
    # The MQL goal is measured: L1 and L3 became MQLs in Q3 by 15 August.
    assert table.loc["MQLs · company-wide", "actual"] == 2


def test_an_mql_goal_without_mql_dates_is_not_measured(fixture_path):
    connection = store.open_store(fixture_path)
    connection.execute("update leads set mql_at = null")
    summaries.refresh(connection, ["leads"])  # by hand
    table = goals.build(connection.cursor(), Q3, AS_OF).tables["goals"].set_index("goal")
    mql_goal = table.loc["MQLs · company-wide"]
    assert (mql_goal["status"], mql_goal["result"]) == ("Not measured",
                                                        f"Not measured: {NO_MQL_DATES}")
    connection.close()


def test_deal_goals_without_deals_are_not_measured(fixture_path):
    connection = store.open_store(fixture_path)
    connection.execute("delete from deal_history")
    connection.execute("delete from deals")
    summaries.refresh(connection, ["deals"])  # by hand
    table = goals.build(connection.cursor(), Q3, AS_OF).tables["goals"].set_index("goal")
    for goal in ("Closed-won revenue · company-wide", "Closed-won revenue · NA",
                 "Win rate · company-wide"):
        assert (table.loc[goal, "status"], table.loc[goal, "result"]) == (
            "Not measured", f"Not measured: {NO_DEALS}"), goal
    connection.close()


def test_the_planner_stops_above_the_sqls_instead_of_refusing_a_zero_rate(no_sql_dates):
    # Every assumption that needs no SQL date is given; the two that do are left measured.
    given = {"win_rate": 0.25, "average_deal_size": 50_000, "lead_sourced_share": 0.5,
             "mql_to_sal": 0.5, "inquiry_to_mql": 0.2, "other_mqls": 10}
    view = plan.build(no_sql_dates, Q3, AS_OF, revenue_target=1_000_000, overrides=given)
    assert not view.problems
    # $1M ÷ $50K = 20 deals; ÷ 0.25 = 80 opportunities.
    assert view.value("opportunities_needed") == 80
    assumptions = view.tables["assumptions"].set_index("assumption")
    for key in ("sal_to_sql", "sql_to_opportunity"):
        assert pd.isna(assumptions.loc[key, "used"])
        assert assumptions.loc[key, "measured_on"] == NO_SQL_DATES
    for key in ("sqls_needed", "sals_needed", "mqls_needed"):
        assert (view.figures[key].state, view.figures[key].reason) == (
            State.UNKNOWN, NO_SQL_DATES), key


def test_campaign_sqls_and_cost_per_sql_are_dashes_without_sql_dates(no_sql_dates):
    view = campaign_performance.build(no_sql_dates, Q3, AS_OF)
    c1 = view.tables["campaigns"].set_index("campaign_id").loc["C1"]
    # C1's Q3 leads: L1 (MQL 3 Jul, SAL 4 Jul); its SAL count stays known.
    assert (c1["leads"], c1["mqls"], c1["sals"]) == (1, 1, 1)
    assert math.isnan(c1["sqls"]) and math.isnan(c1["cost_per_sql"])
    webinar = view.tables["channels"].set_index("channel").loc["Webinar"]
    assert math.isnan(webinar["sqls"]) and math.isnan(webinar["cost_per_sql"])


def test_the_calendars_sqls_so_far_are_dashes_without_sql_dates(no_sql_dates):
    july = calendar.CalendarFilters(dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    c1 = calendar.build(no_sql_dates, july, AS_OF).tables["campaigns"].set_index(
        "campaign_id").loc["C1"]
    # C1's leads by 15 August: L1 and L2, both MQLs; their SQL dates are gone.
    assert (c1["leads_so_far"], c1["mqls_so_far"]) == (2, 2)
    assert pd.isna(c1["sqls_so_far"])
