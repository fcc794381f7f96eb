"""The campaign page's rows read from its summaries (campaign_performance.sql on
campaign_lead_months and campaign_deals, migration 0022) are the rows of their definition read
from every lead (campaign_performance_from_leads.sql): on the fixture and the demo store, for
quarters before, at and after the as-of day's (the counts corrected for the leads with later
dates), company-wide and for a region and a segment, and with a lead listed twice."""

import datetime as dt

import pandas as pd

from conftest import DEMO_AS_OF, copy_store
from relay import sql, store, summaries
from relay.fiscal import Quarter

SCOPES = [(None, None), ("NA", None), (None, "Enterprise"), ("EMEA", "Enterprise")]


def _rows(cursor, name: str, quarter: Quarter, produced_before: dt.date, region,
          segment) -> pd.DataFrame:
    frame = sql.frame(cursor, name, starts_on=quarter.start, ends_before=quarter.end,
                      produced_before=produced_before, region=region, segment=segment)
    # Campaigns starting on the same day under one name may come in either order.
    return frame.sort_values("campaign_id").reset_index(drop=True)


def _same_rows(cursor, quarters, days) -> dict:
    rows = {}
    for quarter in quarters:
        for day in days:
            for region, segment in SCOPES:
                read = _rows(cursor, "campaign_performance", quarter, day, region, segment)
                pd.testing.assert_frame_equal(
                    read, _rows(cursor, "campaign_performance_from_leads", quarter, day,
                                region, segment), obj=f"{quarter} {day} {region} {segment}")
                rows[(str(quarter), day, region, segment)] = read
    return rows


FIXTURE_DAYS = [dt.date(2026, 7, 3), dt.date(2026, 7, 5), dt.date(2026, 7, 11),
                dt.date(2026, 8, 15), dt.date(2026, 10, 2), dt.date(2026, 11, 3)]


def test_the_rows_are_their_definitions_on_the_fixture(fixture_cursor):
    rows = _same_rows(fixture_cursor, [Quarter(2026, 2), Quarter(2026, 3), Quarter(2026, 4)],
                      FIXTURE_DAYS)
    c1 = {day: rows[("2026-Q3", day, None, None)].set_index("campaign_id").loc["C1"]
          for day in FIXTURE_DAYS}
    # By hand, C1's leads of 2026-Q3 (L1: created 2 Jul, MQL 3 Jul, SAL 4 Jul, SQL 10 Jul,
    # its deal D1 won 1 Aug): up to 4 July L1's SQL is still to come, which the summary
    # already counts; from 11 July it counts.
    assert (c1[dt.date(2026, 7, 5)]["sqls"], c1[dt.date(2026, 7, 11)]["sqls"]) == (0, 1)
    assert (c1[dt.date(2026, 7, 3)]["mqls"], c1[dt.date(2026, 7, 5)]["mqls"]) == (0, 1)
    assert c1[dt.date(2026, 7, 11)]["sourced_revenue"] == 0
    assert c1[dt.date(2026, 8, 15)]["sourced_revenue"] == 10_000


def test_the_rows_are_their_definitions_on_the_demo_store(demo_path):
    connection = store.open_store(demo_path, read_only=True)
    try:
        current = Quarter.containing(DEMO_AS_OF, 1)
        _same_rows(connection.cursor(), [current.shift(-1), current],
                   [DEMO_AS_OF - dt.timedelta(days=40), DEMO_AS_OF + dt.timedelta(days=1)])
    finally:
        connection.close()


def test_a_lead_listed_twice_counts_its_deals_once_as_in_the_definition(fixture_path):
    path = copy_store(fixture_path, fixture_path.parent / "twice.duckdb")
    connection = store.open_store(path)
    try:
        cursor = connection.cursor()
        cursor.execute("insert into leads select * from leads where lead_id = 'L1'")
        for name in ("funnel_listed_twice", "campaign_lead_months", "campaign_deals"):
            summaries.rebuild(cursor, name)
        rows = _same_rows(cursor, [Quarter(2026, 3)], [dt.date(2026, 11, 3)])
    finally:
        connection.close()
    c1 = rows[("2026-Q3", dt.date(2026, 11, 3), None, None)].set_index("campaign_id").loc["C1"]
    # L1 twice: two of C1's leads more than once, its won deal D1 (10,000) once.
    assert (c1["sqls"], c1["sourced_revenue"]) == (2, 10_000)
