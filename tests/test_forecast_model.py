"""The forecast model's call, summed for every week at once (forecasting.PipelineHistory),
against the same call worked out point by point from the deal states, as the model is
defined: the open pipeline by category, each category's rate from the look-back quarters at
the same share of the quarter gone (on the breakdown with enough deals, else company-wide),
and closed-won so far. On the demo store, company-wide and for a region and a segment."""

import pandas as pd
import pytest

from conftest import DEMO_AS_OF
from relay import forecasting as fc
from relay import settings, sql, store, summaries
from relay.fiscal import Quarter, quarter_range
from relay.planning import MIN_COHORT, lookback_window
from relay.views import forecast

SCOPES = [(None, None), ("APAC", None), (None, "Enterprise")]


@pytest.fixture(scope="module")
def demo_cursor(demo_path):
    connection = store.open_store(demo_path, read_only=True)
    yield connection.cursor()
    connection.close()


def _snapshot(cursor, point: fc.Point) -> pd.DataFrame:
    """The quarter as it stood at the point, by owner, read from deal_states."""
    return sql.frame(cursor, "pipeline_snapshots", snapshot=[point.key], at=[point.at],
                     starts_on=[point.quarter.start], ends_before=[point.quarter.end]
                     ).astype({"amount": float, "won_in_quarter": float})


def _by_category(rows: pd.DataFrame) -> pd.DataFrame:
    open_rows = rows[rows["status"] == "open"]
    return open_rows.groupby("forecast_category")[["deals", "amount", "won_in_quarter"]].sum(
    ).reindex(list(fc.OPEN_CATEGORIES), fill_value=0)


def _reference_call(cursor, point: fc.Point, lookback_quarters: int, region, segment
                    ) -> tuple[float, dict, dict]:
    """(closed-won, open amount by category, rate by category) at the point."""
    first, last = lookback_window(point.quarter, DEMO_AS_OF, lookback_quarters)
    back = pd.concat([_snapshot(cursor, point.same_point_in(quarter))
                      for quarter in quarter_range(first, last)])
    own = _by_category(fc.in_scope(back, region, segment))
    company = _by_category(back)
    now = fc.in_scope(_snapshot(cursor, point), region, segment)
    rates = {}
    for category in fc.OPEN_CATEGORIES:
        basis = own.loc[category]
        if basis["deals"] < MIN_COHORT and (region or segment):
            basis = company.loc[category]
        rates[category] = (basis["won_in_quarter"] / basis["amount"] if basis["amount"]
                           else None)
    closed_won = float(now.loc[now["status"] == "won", "amount"].sum())
    return closed_won, _by_category(now)["amount"].to_dict(), rates


@pytest.mark.parametrize(("region", "segment"), SCOPES)
def test_every_weeks_call_is_the_model_worked_out_point_by_point(demo_cursor, region,
                                                                  segment):
    config = settings.load(demo_cursor)
    quarter = Quarter.containing(DEMO_AS_OF, config.fiscal_year_start_month)
    now = fc.Point.as_of(quarter, DEMO_AS_OF)
    weeks = forecast._week_points(now)
    history = fc.PipelineHistory(demo_cursor, weeks, DEMO_AS_OF, config.lookback_quarters,
                                 region, segment, by_owner=[now])
    assert len(weeks) > 5
    for point in weeks:
        closed_won, amounts, rates = _reference_call(
            demo_cursor, point, config.lookback_quarters, region, segment)
        call = history.call(point).by_category.set_index("forecast_category")
        assert history.call(point).closed_won == pytest.approx(closed_won, rel=1e-12)
        for category in fc.OPEN_CATEGORIES:
            assert call.loc[category, "amount"] == pytest.approx(amounts[category], rel=1e-12)
            if rates[category] is None:
                assert pd.isna(call.loc[category, "rate"])
            else:
                assert call.loc[category, "rate"] == pytest.approx(rates[category], rel=1e-12)
    owners = history.call(now).by_owner
    assert owners["open_pipeline"].sum() == pytest.approx(history.call(now).open_amount)


@pytest.mark.parametrize(("region", "segment"), SCOPES)
def test_the_weeks_calls_are_each_reps_latest_call_by_then(demo_cursor, region, segment):
    config = settings.load(demo_cursor)
    quarter = Quarter.containing(DEMO_AS_OF, config.fiscal_year_start_month)
    weeks = forecast._week_points(fc.Point.as_of(quarter, DEMO_AS_OF))
    submissions = fc.submissions_for(demo_cursor, [quarter])
    reps = fc.reps_in_scope(fc.people(demo_cursor), region, segment)
    expected = [forecast._reps_call(fc.latest_calls(submissions, quarter, point.at), reps)
                for point in weeks]
    assert any(submitters for submitters, _, _ in expected)
    assert forecast._weekly_calls(weeks, submissions, reps) == expected


def _unrecorded(connection, region=None) -> dict:
    return sql.row(connection.cursor(), "deals_without_history", region=region, segment=None)


def test_deals_without_history_are_counted_from_their_summary_kept_deal_by_deal(fixture_path):
    """D9, loaded without history, is counted in NA (not EMEA) once the deals it names are
    refreshed, and no more once a change of it is recorded; the summary refreshed deal by
    deal equals its definition."""
    connection = store.open_store(fixture_path)
    try:
        before = _unrecorded(connection)
        north_america, emea = _unrecorded(connection, "NA"), _unrecorded(connection, "EMEA")
        connection.execute(
            "insert into deals values ('D9', null, 'Soylent', 'P2', 'NA', 'SMB', 8000, 'open',"
            " 'commit', '2026-08-02 09:00', '2026-09-10')")
        summaries.refresh(connection, ["deals"], deal_ids=["D9"])
        assert _unrecorded(connection) == {"without_history": before["without_history"] + 1,
                                           "deals": before["deals"] + 1}
        assert _unrecorded(connection, "NA") == {
            "without_history": north_america["without_history"] + 1,
            "deals": north_america["deals"] + 1}
        assert _unrecorded(connection, "EMEA") == emea
        assert _rows(connection, "unrecorded_deals") == _rows(connection,
                                                              "unrecorded_deals_live")
        connection.execute(
            "insert into deal_history select deal_id, created_at, amount, status, "
            "forecast_category, close_date from deals where deal_id = 'D9'")
        summaries.refresh(connection, ["deal_history"], deal_ids=["D9"])
        assert _unrecorded(connection)["without_history"] == before["without_history"]
        assert _rows(connection, "unrecorded_deals") == _rows(connection,
                                                              "unrecorded_deals_live")
    finally:
        connection.close()


def _rows(connection, relation: str) -> list:
    return connection.execute(f"select * from {relation} order by all").fetchall()
