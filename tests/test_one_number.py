"""One name means one number: every view built for the same filters, on the demo store,
for a closed, the current and the next quarter. A figure key two views share has one value,
and two figures that share a label are the same number (different scopes need different
labels)."""

import datetime as dt
from collections import defaultdict

import pytest

from conftest import DEMO_AS_OF, copy_store
from relay import store, summaries
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import calendar, campaign_performance, forecast, funnel, goals, overview, plan, sla
from relay.views.common import View

CURRENT = Quarter.containing(DEMO_AS_OF)
QUARTERS = {"closed": CURRENT.shift(-1), "current": CURRENT, "next": CURRENT.shift(1)}


def every_view(cursor, filters: Filters, as_of: dt.date) -> list[View]:
    quarter = filters.quarter
    days = calendar.CalendarFilters(quarter.start, quarter.last_day, filters.region,
                                    filters.segment)
    return [
        overview.build(cursor, filters, as_of),
        forecast.build(cursor, filters, as_of),
        goals.build(cursor, filters, as_of),
        funnel.build(cursor, filters, as_of),
        sla.build(cursor, filters, as_of),
        campaign_performance.build(cursor, filters, as_of),
        plan.build(cursor, filters, as_of),
        calendar.build(cursor, days, as_of),
    ]


@pytest.fixture(scope="module")
def demo_cursor(demo_path):
    connection = store.open_store(demo_path, read_only=True)
    yield connection.cursor()
    connection.close()


@pytest.mark.parametrize("phase", sorted(QUARTERS))
@pytest.mark.parametrize("region", [None, "EMEA"])
def test_a_figure_on_two_pages_is_one_number(demo_cursor, phase, region):
    filters = Filters(QUARTERS[phase], region)
    by_key: dict[str, dict[str, tuple]] = defaultdict(dict)
    by_label: dict[str, dict[str, tuple]] = defaultdict(dict)
    for view in every_view(demo_cursor, filters, DEMO_AS_OF):
        for key, figure in view.figures.items():
            shown = (figure.state.value, None if figure.value is None
                     else round(figure.value, 6))
            by_key[key][view.name] = shown
            by_label[figure.label][f"{view.name}.{key}"] = shown
    differ = {key: seen for key, seen in by_key.items() if len(set(seen.values())) > 1}
    assert not differ, f"one key, several numbers: {differ}"
    shared = {label: seen for label, seen in by_label.items()
              if len(set(seen.values())) > 1}
    assert not shared, f"one label, several numbers: {shared}"


# Columns that name a row rather than measure it: they may differ in wording between pages.
ROW_NAMES = {"campaign_id", "deal_id", "person_id", "name", "label", "status", "version"}


@pytest.mark.parametrize("phase", sorted(QUARTERS))
def test_a_column_two_pages_show_for_one_campaign_is_one_number(demo_cursor, phase):
    """Campaign performance and the calendar both list campaigns: where both have a column
    of one name, a campaign has one value in it (the cost of the quarter and the cost of the
    whole campaign need two names)."""
    filters = Filters(QUARTERS[phase])
    tables = {view.name: view.tables["campaigns"]
              for view in every_view(demo_cursor, filters, DEMO_AS_OF)
              if "campaigns" in view.tables}
    performance = tables["campaigns"].set_index("campaign_id")
    calendar_rows = tables["calendar"].set_index("campaign_id")
    both = performance.index.intersection(calendar_rows.index)
    assert len(both) >= 5
    shared = [column for column in performance.columns.intersection(calendar_rows.columns)
              if column not in ROW_NAMES]
    for column in shared:
        left, right = performance.loc[both, column], calendar_rows.loc[both, column]
        differ = both[(left != right) & ~(left.isna() & right.isna())]
        assert differ.empty, f"{column} differs for {list(differ[:5])}"


@pytest.mark.parametrize("phase", sorted(QUARTERS))
def test_the_planner_shows_the_counts_it_saves(demo_cursor, phase):
    view = plan.build(demo_cursor, Filters(QUARTERS[phase]), DEMO_AS_OF,
                      revenue_target=5_000_000)
    saved = dict(zip(view.tables["goals"]["metric"], view.tables["goals"]["planned_target"],
                     strict=True))
    for metric, figure in (("sqls", "sqls_needed"), ("sals", "sals_needed"),
                           ("mqls", "mqls_needed")):
        assert saved[metric] == view.value(figure), metric


def test_the_quarters_of_every_campaign_add_up_to_its_leads_and_its_cost(demo_cursor):
    """Each quarter takes a share of a campaign's cost and of its leads; over all the
    quarters it ran in, the shares are the whole: no lead and no dollar counted twice or
    lost (a lead that came after the campaign ended counts in its last quarter)."""
    span = demo_cursor.execute(
        "select min(start_date), max(end_date) from campaigns").fetchone()
    quarter, last = Quarter.containing(span[0]), Quarter.containing(span[1])
    leads, cost = defaultdict(float), defaultdict(float)
    while quarter <= min(last, CURRENT):
        table = campaign_performance.build(demo_cursor, Filters(quarter), DEMO_AS_OF
                                           ).tables["campaigns"]
        for row in table.itertuples():
            leads[row.campaign_id] += row.leads
            cost[row.campaign_id] += 0 if row.cost_in_quarter != row.cost_in_quarter \
                else row.cost_in_quarter
        quarter = quarter.shift(1)
    stored = demo_cursor.execute(
        "select campaign_id, actual_cost, (select count(*) from leads where leads.campaign_id"
        " = campaigns.campaign_id and created_at < ?) from campaigns where start_date <= ?",
        [DEMO_AS_OF + dt.timedelta(days=1), DEMO_AS_OF]).fetchall()
    assert stored
    for campaign_id, actual_cost, campaign_leads in stored:
        assert leads[campaign_id] == campaign_leads, campaign_id
        assert cost[campaign_id] == pytest.approx(float(actual_cost or 0)), campaign_id


@pytest.fixture(scope="module")
def no_sql_dates_cursor(demo_path, tmp_path_factory):
    """The demo store with its leads' SQL dates gone (a copy: demo_path is shared)."""
    path = copy_store(demo_path, tmp_path_factory.mktemp("no_sql_dates") / "demo.duckdb")
    connection = store.open_store(path)
    connection.execute("update leads set sql_at = null")
    summaries.refresh(connection, ["leads"])  # by hand
    yield connection.cursor()
    connection.close()


@pytest.mark.parametrize("phase", ["closed", "current"])
def test_without_sql_dates_a_label_is_still_one_state_and_value(no_sql_dates_cursor, phase):
    """SQLs are unknown on every page alike (not 0 on the overview and unknown on the
    funnel)."""
    by_label: dict[str, dict[str, tuple]] = defaultdict(dict)
    for view in every_view(no_sql_dates_cursor, Filters(QUARTERS[phase]), DEMO_AS_OF):
        for key, figure in view.figures.items():
            by_label[figure.label][f"{view.name}.{key}"] = (
                figure.state.value, None if figure.value is None else round(figure.value, 6))
    shared = {label: seen for label, seen in by_label.items()
              if len(set(seen.values())) > 1}
    assert not shared, f"one label, several numbers: {shared}"
    assert set(by_label["SQLs"].values()) == {("unknown", None)}
