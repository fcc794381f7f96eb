"""Demand funnel and speed to lead when the data can't support a figure: no first touches
(in the store, or for one rep), no SAL dates, a cohort of nobody, a quarter that has not
started. Worked out by hand on the hand-off fixture (tests/conftest.py: L1, L3, L6 touched,
L7 an MQL nobody has called)."""

import datetime as dt
import json

import pandas as pd
import pytest
from test_app import app, metrics, shown_text

from conftest import AS_OF
from relay import charts, store, summaries
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import funnel, sla
from relay.views.common import NoteKind, State

Q3 = Filters(Quarter(2026, 3))
NO_TOUCH = "No first-touch dates in the leads: import leads with a first-touch date column."


@pytest.fixture
def cursor(handoff_path):
    connection = store.open_store(handoff_path)
    yield connection.cursor()
    connection.close()


def _add_mql(cursor, lead_id: str, owner: str, region: str, stage: str = "mql") -> None:
    """An MQL of 27 July nobody has touched (19 days old on the as-of day)."""
    july = dt.datetime(2026, 7, 27, 10)
    cursor.execute(
        "insert into leads (lead_id, source, region, segment, created_at, stage, mql_at,"
        " owner_id) values (?, 'Direct', ?, 'Enterprise', ?, ?, ?, ?)",
        [lead_id, region, july, stage, july, owner])
    summaries.refresh(cursor, ["leads"])


# --- Speed to lead --------------------------------------------------------------------------

def test_without_first_touches_speed_and_breaches_are_unknown_not_zero(cursor):
    cursor.execute("update leads set first_touch_at = null")
    view = sla.build(cursor, Q3, AS_OF)
    for key in ("median_speed_hours", "p90_speed_hours", "within_sla_share", "open_breaches"):
        assert view.figures[key].state is State.UNKNOWN
        assert view.figures[key].reason == NO_TOUCH
    assert view.value("mqls_in_period") == 4
    assert view.value("acceptance_rate") == pytest.approx(3 / 4)  # needs no touch
    # Per rep, team, region and week: no 0% and no breaches, a dash.
    for dimension in ("rep", "team", "region", "week"):
        rows = view.tables[f"by_{dimension}"]
        assert len(rows)
        assert rows[list(sla.SPEED_COLUMNS)].isna().all().all(), dimension
    # Nobody is listed as waiting: who is can't be told.
    assert view.tables["open_breaches"].empty
    # The missing column is the reason, not a data-quality finding of 2 leads.
    assert not any("no first touch recorded" in note.text for note in view.notes)


def test_a_rep_whose_leads_moved_on_untouched_has_no_touches_recorded(cursor):
    # Bob's L3 reached opportunity (it took a touch) but has none recorded; his new MQL L8
    # has waited 19 days. Touches aren't recorded for Bob: L8 is no breach, his rates a dash.
    cursor.execute("update leads set first_touch_at = null where lead_id = 'L3'")
    _add_mql(cursor, "L8", "P3", "EMEA")
    view = sla.build(cursor, Q3, AS_OF)
    reps = view.tables["by_rep"].set_index("value")
    assert reps.loc["Bob Rep", ["mqls", "untracked"]].tolist() == [2, 2]
    assert reps.loc["Bob Rep", list(sla.SPEED_COLUMNS)].isna().all()
    # Ann: L1 (2 h), L6 (0 h) within the SLA, L7 waiting: measured as before.
    assert reps.loc["Ann Rep", ["untracked", "within_sla", "open_breaches"]].tolist() == [
        0, 2, 1]
    # Overall: L1 and L6 within, L7 open: 2 of 3 (counting L8 as untouched would give 2 of 4).
    assert view.value("within_sla_share") == pytest.approx(2 / 3)
    assert view.value("open_breaches") == 1
    assert view.value("median_speed_hours") == pytest.approx(1.0)
    assert view.tables["open_breaches"]["lead_id"].tolist() == ["L7"]
    regions = view.tables["by_region"].set_index("value")
    assert regions.loc["EMEA", list(sla.SPEED_COLUMNS)].isna().all()  # L3 and L8 only
    assert any("No first touch is recorded for the MQLs of Bob Rep" in note.text
               for note in view.notes)


def test_a_rep_who_touched_nobody_and_moved_nothing_on_is_a_real_zero(cursor):
    # Mia's only MQL waits untouched at stage MQL: touches are recorded in the store and
    # nothing says hers went unrecorded, so she is at 0% with a real breach.
    _add_mql(cursor, "L8", "P1", "NA")
    view = sla.build(cursor, Q3, AS_OF)
    mia = view.tables["by_rep"].set_index("value").loc["Mia Manager"]
    assert mia[["mqls", "untracked", "touched", "within_sla", "open_breaches"]].tolist() == [
        1, 0, 0, 0, 1]
    assert mia["within_sla_share"] == 0.0
    assert view.value("open_breaches") == 2
    assert view.tables["open_breaches"]["lead_id"].tolist() == ["L7", "L8"]


def test_a_quarter_that_has_not_started_measures_no_speed(cursor):
    view = sla.build(cursor, Filters(Quarter(2026, 4)), AS_OF)
    for key in sla.SPEED_FIGURES:
        assert view.figures[key].state is State.NOT_APPLICABLE
        assert view.figures[key].reason == "2026-Q4 has not started."
    assert view.value("sla_hours") == 24
    assert view.tables["by_rep"].empty and view.tables["open_breaches"].empty
    assert [note.kind for note in view.notes] == [NoteKind.NOTHING]


def test_speed_charts_have_one_axis_each_and_no_bar_for_an_unknown_week():
    weeks = pd.DataFrame({"value": ["2026-07-20", "2026-07-27"], "median_hours": [6.0, None],
                          "within_sla_share": [0.5, None]})
    speed = charts.speed_by_week(weeks, 24)
    assert "yaxis2" not in speed.to_dict()["layout"]
    assert speed.layout.yaxis.title.text == "hours"
    assert pd.isna(speed.data[0].y[1])
    share = charts.within_sla_by_week(weeks)
    assert share.layout.yaxis.tickformat == ".0%"
    assert list(share.layout.yaxis.range) == [0, 1.05]
    # Waits of two days or more read in days, the SLA line too.
    weeks["median_hours"] = [72.0, None]
    in_days = charts.speed_by_week(weeks, 24)
    assert in_days.layout.yaxis.title.text == "days" and in_days.data[0].y[0] == 3.0


# --- The funnel -----------------------------------------------------------------------------

def test_without_sal_dates_the_steps_through_sal_are_unknown(cursor):
    cursor.execute("update leads set sal_at = null")
    summaries.refresh(cursor, ["leads"])
    view = funnel.build(cursor, Q3, AS_OF)
    sals = view.figures["funnel_sals"]
    assert sals.state is State.UNKNOWN
    assert sals.reason == "No SAL dates in the leads: import leads with a SAL date column."
    conversion = view.tables["conversion"].set_index("step")
    for step in ("mql_to_sal", "sal_to_sql"):
        row = conversion.loc[step]
        assert row[["converted", "rate", "significant", "previous_rate",
                    "trailing_rate"]].isna().all(), step
    assert conversion.loc["mql_to_sal", "cohort"] == 4  # the MQLs are known
    assert pd.isna(conversion.loc["sal_to_sql", "cohort"])
    assert conversion.loc["inquiry_to_mql", "rate"] == pytest.approx(4 / 5)
    assert view.tables["over_time"]["to_sal"].isna().all()
    assert view.tables["stages"].set_index("stage")["count"].isna().tolist() == [
        False, False, True, False, False, False]
    assert all("MQL → SAL" not in note.text for note in view.notes)
    assert view.figures["funnel_sqls"].known  # SQL dates are there


def test_a_rate_over_nobody_is_a_dash_and_not_judged(cursor):
    # 2026-Q2: L2 created and MQL; nobody accepted in Q2 (L2's SAL is 1 July): no SALs.
    view = funnel.build(cursor, Filters(Quarter(2026, 2)), AS_OF)
    step = view.tables["conversion"].set_index("step").loc["sal_to_sql"]
    assert step["cohort"] == 0
    assert pd.isna(step["rate"]) and pd.isna(step["significant"])
    thin = next(note.text for note in view.notes if "not significant" in note.text)
    assert "SAL → SQL" not in thin and "MQL → SAL" in thin


def test_a_quarter_that_has_not_started_counts_nothing(cursor):
    view = funnel.build(cursor, Filters(Quarter(2026, 4)), AS_OF)
    for key, _ in funnel.STAGES:
        figure = view.figures[f"funnel_{key}"]
        assert figure.state is State.NOT_APPLICABLE
        assert figure.reason == "2026-Q4 has not started."
    assert view.tables["conversion"]["rate"].isna().all()
    assert not view.tables["conversion"]["significant"].notna().any()
    assert "2026-Q4" not in view.tables["over_time"]["quarter"].tolist()
    # Last quarter (Q3 so far) is still there to compare with.
    assert view.tables["stages"].set_index("stage").loc["inquiries", "previous_quarter"] == 5
    assert [note.kind for note in view.notes] == [NoteKind.NOTHING]


def test_a_future_quarters_funnel_keeps_the_past_quarters_rates(cursor):
    """Built for 2026-Q4 (not started), 2026-Q3's MQLs still convert as they did: L1, L3, L6,
    L7; SAL L1, L3, L6; SQL L1, L3, both won (as built for Q3 itself)."""
    over_time = funnel.build(cursor, Filters(Quarter(2026, 4)), AS_OF).tables["over_time"]
    q3 = over_time.set_index("quarter").loc["2026-Q3"]
    assert q3[["mqls", "to_sal", "to_sql", "to_opportunity", "to_won"]].tolist() == [
        4, 3 / 4, 2 / 4, 2 / 4, 2 / 4]


def test_a_running_quarter_says_so_far(cursor):
    view = funnel.build(cursor, Q3, AS_OF)
    assert any(note.kind is NoteKind.SCOPE and "2026-Q3 is under way: counts so far, up to "
               "15 Aug 2026" in note.text for note in view.notes)


# --- The pages ------------------------------------------------------------------------------

def _no_touches(path) -> None:
    connection = store.open_store(path)
    connection.execute("update leads set first_touch_at = null")
    connection.close()


def test_speed_to_lead_page_without_touches_shows_no_zero_and_no_breach(app_env,
                                                                        handoff_path):
    _no_touches(handoff_path)
    app_env(handoff_path, AS_OF)
    at = app({"quarter": "2026-Q3"}, page="app_pages/sla.py")
    assert not at.exception
    shown = metrics(at)
    for label in ("Median speed", "90th percentile", "Within SLA", "Open breaches"):
        assert shown[label] == "—", label
    assert "who is waiting for a first touch can't be told" in shown_text(at.caption)
    assert not any(s.value.startswith("Waiting for a first touch (") for s in at.subheader)
    assert not at.get("plotly_chart")  # no week has a speed to draw
    by_rep = at.dataframe[0].value.set_index("value")
    assert by_rep[["touched", "within_sla_share", "open_breaches"]].isna().all().all()


def test_speed_to_lead_page_reads_waits_in_hours_and_days(app_env, handoff_path):
    app_env(handoff_path, AS_OF)
    at = app({"quarter": "2026-Q3"}, page="app_pages/sla.py")
    breaches = at.dataframe[0]
    # L7 has waited 494 hours: shown as 20.6 days.
    assert breaches.value["age_hours"].iloc[0] == pytest.approx(494 / 24)
    waiting = json.loads(breaches.proto.columns)["age_hours"]
    assert (waiting["label"], waiting["type_config"]["format"]) == ("Waiting (days)",
                                                                    "%.1f days")
    # Medians of 1 to 2 hours: an hours column; rates as percentages, counts separated.
    by_rep = json.loads(at.dataframe[1].proto.columns)
    assert (by_rep["median_hours"]["label"], by_rep["median_hours"]["type_config"]["format"]) \
        == ("Median (h)", "%.1f h")
    assert by_rep["within_sla_share"]["type_config"]["format"] == "percent"
    assert by_rep["mqls"]["type_config"]["format"] == "localized"
    assert len(at.get("plotly_chart")) == 2  # speed and within SLA: one axis each


@pytest.mark.parametrize("page", ["app_pages/funnel.py", "app_pages/sla.py"])
def test_a_future_quarter_says_it_has_not_started(app_env, handoff_path, page):
    app_env(handoff_path, AS_OF)
    at = app({"quarter": "2026-Q4"}, page=page)
    assert not at.exception
    assert "2026-Q4 has not started" in shown_text(at.info)
    assert all(value in ("—", "24 h") for value in metrics(at).values())
    assert not at.dataframe and not at.get("plotly_chart")


def test_a_store_of_deals_only_counts_no_stage_and_no_speed(cursor):
    cursor.execute("delete from leads")
    summaries.refresh(cursor, ["leads"])
    no_leads = "No leads in the store: import leads on the Data page."
    view = funnel.build(cursor, Q3, AS_OF)
    assert {figure.reason for figure in view.figures.values()} == {no_leads}
    stages = view.tables["stages"]
    assert stages[["count", "previous_quarter", "trailing_average"]].isna().all().all()
    assert view.tables["conversion"][["cohort", "rate", "significant"]].isna().all().all()
    speed = sla.build(cursor, Q3, AS_OF)
    assert [key for key, figure in speed.figures.items() if figure.known] == ["sla_hours"]


def test_a_rep_is_tracked_or_not_alike_company_wide_and_in_a_region(fixture_path):
    """Bob (P3) has touches recorded (L3 in EMEA, touched); his NA MQLs have none: L9 moved
    on to SAL, L10 still waiting past the SLA. Over all his MQLs he is tracked, so L10 is an
    open breach on the NA page as in the NA row of the company-wide page."""
    connection = store.open_store(fixture_path)
    connection.execute(
        "insert into leads (lead_id, source, region, segment, created_at, stage, mql_at,"
        " sal_at, owner_id) values"
        " ('L9', 'Direct', 'NA', 'SMB', '2026-07-20 09:00', 'sal', '2026-07-20 10:00',"
        "  '2026-07-21 10:00', 'P3'),"
        " ('L10', 'Direct', 'NA', 'SMB', '2026-07-25 09:00', 'mql', '2026-07-25 10:00',"
        "  null, 'P3')")
    cursor = connection.cursor()
    company = sla.build(cursor, Q3, AS_OF)
    na = sla.build(cursor, Filters(Quarter(2026, 3), "NA"), AS_OF)
    na_row = company.tables["by_region"].set_index("value").loc["NA"]
    # NA's Q3 MQLs: L1 (Ann, touched after 2 h), L9, L10; none untracked, L10 a breach.
    assert na_row[["mqls", "untracked", "touched", "within_sla", "open_breaches"]].tolist() \
        == [3, 0, 1, 1, 1]
    assert na.tables["by_region"].set_index("value").loc["NA"].equals(na_row)
    bob = na.tables["by_rep"].set_index("owner_id").loc["P3"]
    assert bob[["mqls", "untracked", "open_breaches"]].tolist() == [2, 0, 1]
    assert na.tables["open_breaches"]["lead_id"].tolist() == ["L10"]
    connection.close()
