"""The funnel's month rollup (funnel_months, migration 0019) never changes a figure:
funnel_by_month.sql, the summary corrected for the as-of month, returns funnel_by_quarter.sql's
rows for every as-of day of two quarters for the whole company and on each month's edges for
one region and one segment, on the fixture store; on the month's edges on the demo store; and
after an import of leads."""

import datetime as dt

import pandas as pd

from conftest import copy_store
from relay import cli, sql, store, summaries
from relay.actuals import so_far_before
from relay.fiscal import Quarter, quarter_range
from relay.views.funnel import HISTORY_QUARTERS

SCOPES = [(None, None), ("EMEA", None), (None, "Enterprise")]


def _rows(cursor, name: str, quarter: Quarter, as_of: dt.date, region, segment) -> pd.DataFrame:
    first = quarter_range(quarter.shift(1 - HISTORY_QUARTERS), quarter)[0].start
    frame = sql.frame(cursor, name, first=first, before=so_far_before(quarter, as_of),
                      region=region, segment=segment, start_month=quarter.start_month)
    keys = ["quarter_index", "dimension", "value", "stage"]
    return frame.sort_values(keys).reset_index(drop=True).astype({
        column: "int64" for column in ("reached", "went_on", "to_sql", "to_opportunity",
                                       "to_won")})


def _month_edges(day: dt.date) -> bool:
    """The days where the month's correction changes shape: a month's first two days, its
    middle and its last day."""
    return day.day in (1, 2, 15) or (day + dt.timedelta(days=1)).month != day.month


def _same_every_day(cursor, quarters, every_day=(None, None), also_on=()) -> int:
    """The rollup equals the live funnel for the scope `every_day` on every day of the
    quarters, and for the other scopes on the month's edges and the days `also_on` (each day
    of each scope took over a minute on the demo store)."""
    compared = 0
    for quarter in quarters:
        day = quarter.start
        while day < quarter.end:
            for region, segment in SCOPES:
                if ((region, segment) != every_day and not _month_edges(day)
                        and day not in also_on):
                    continue
                live = _rows(cursor, "funnel_by_quarter", quarter, day, region, segment)
                rolled = _rows(cursor, "funnel_by_month", quarter, day, region, segment)
                pd.testing.assert_frame_equal(rolled, live,
                                              obj=f"{quarter} {day} {region} {segment}")
                compared += len(live)
            day += dt.timedelta(days=1)
    return compared


def test_the_rollup_equals_the_live_funnel_every_day_on_the_fixture(fixture_path):
    connection = store.open_store(fixture_path)
    try:
        assert _same_every_day(connection.cursor(), [Quarter(2026, 2), Quarter(2026, 3)]) > 0
    finally:
        connection.close()


def test_the_rollup_equals_the_live_funnel_on_the_demo(demo_path, tmp_path):
    connection = store.open_store(copy_store(demo_path, tmp_path / "demo.duckdb"))
    try:
        assert _same_every_day(connection.cursor(), [Quarter(2026, 3), Quarter(2026, 4)],
                               every_day=None) > 0
    finally:
        connection.close()


def test_an_import_of_leads_changes_the_rollup_as_the_live_funnel(fixture_path, tmp_path):
    quarter, as_of = Quarter(2026, 3), dt.date(2026, 8, 15)

    def funnel():
        connection = store.open_store(fixture_path)
        try:
            cursor = connection.cursor()
            live = _rows(cursor, "funnel_by_quarter", quarter, as_of, None, None)
            rolled = _rows(cursor, "funnel_by_month", quarter, as_of, None, None)
        finally:
            connection.close()
        pd.testing.assert_frame_equal(rolled, live)
        return live

    before = funnel()
    # L3 moves from July to June (a month the summary holds), and a new lead arrives in July.
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,source,region,segment,created_at,stage,mql_at\n"
                     "L3,Web,NA,SMB,2026-06-01 09:00,mql,2026-06-07 10:00\n"
                     "L99,Web,NA,SMB,2026-07-02 09:00,mql,2026-07-03 10:00\n",
                     encoding="utf-8")
    assert cli.main(["import", str(leads), "--table", "leads", "--db", str(fixture_path)]) == 0
    after = funnel()
    assert not after.equals(before)


def test_the_rollup_follows_several_wins_of_a_lead_and_a_lead_listed_twice(fixture_path):
    """L3 (won by D2, closed 2026-08-14) also wins D20, closed earlier (July), and D21,
    closed on 2026-09-02 but created three days later: its won event moves from July to
    August to September as the as-of day passes each. L1 is listed twice, once in EMEA."""
    connection = store.open_store(fixture_path)
    try:
        cursor = connection.cursor()
        cursor.begin()
        cursor.execute(
            "insert into deals (deal_id, lead_id, account, owner_id, region, segment, amount, "
            "status, forecast_category, created_at, close_date) values "
            "('D20', 'L3', 'Globex', 'P3', 'EMEA', 'Enterprise', 1000, 'won', 'closed', "
            "'2026-06-10 09:00', '2026-07-20'), "
            "('D21', 'L3', 'Globex', 'P3', 'EMEA', 'Enterprise', 1000, 'won', 'closed', "
            "'2026-09-05 09:00', '2026-09-02')")
        cursor.execute("insert into leads select * replace ('EMEA' as region) from leads "
                       "where lead_id = 'L1'")
        summaries.refresh(cursor, ["deals", "leads"])
        cursor.commit()
        # Every scope on the month's edges and on the days around each won event and each
        # deal's creation (the first test covers every day of the unchanged store).
        moments = [dt.date(2026, 7, 20), dt.date(2026, 8, 14), dt.date(2026, 9, 2),
                   dt.date(2026, 9, 5)]
        around = {moment + dt.timedelta(days=step) for moment in moments for step in (-1, 0, 1)}
        assert _same_every_day(cursor, [Quarter(2026, 3), Quarter(2026, 4)], every_day=None,
                               also_on=around) > 0
    finally:
        connection.close()
