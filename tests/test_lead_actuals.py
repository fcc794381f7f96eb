"""The leads of the goal actuals (lead_actuals.sql, summed from funnel_months for whole months
and counted from leads for the days of the last month) are the figures of their definition on
every lead row (lead_actuals_from_leads.sql): on the fixture and the demo store, for a whole
quarter, a quarter so far and a window of quarters, with a lead listed twice (which
funnel_months leaves out), and the fixture's worked by hand."""

import datetime as dt

import duckdb
import pandas as pd

from conftest import DEMO_AS_OF, copy_store
from relay import sql, store, summaries
from relay.actuals import so_far_before
from relay.fiscal import Quarter


def _rows(cursor: duckdb.DuckDBPyConnection, name: str, bounds: dict) -> dict:
    return {(_named(row["region"]), _named(row["segment"]), bool(row["all_regions"]),
             bool(row["all_segments"])):
            (int(row["mqls"]), int(row["sals"]), int(row["sqls"]))
            for row in sql.frame(cursor, name, **bounds).to_dict(orient="records")}


def _named(value) -> str | None:
    return None if pd.isna(value) else value


def _same_actuals(cursor: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict:
    """Each period's rows, after checking they are their definition's."""
    current = Quarter.containing(as_of, 1)
    periods = {
        "last quarter": (current.shift(-1).start, current.shift(-1).end),
        "this quarter so far": (current.start, so_far_before(current, as_of)),
        "its first day": (current.start, current.start + dt.timedelta(days=1)),
        "four quarters": (current.shift(-4).start, current.start),
        "a year so far": (current.shift(-3).start, so_far_before(current, as_of)),
    }
    figures = {}
    for label, (starts_on, before) in periods.items():
        bounds = {"starts_on": starts_on, "so_far_before": before}
        summed = _rows(cursor, "lead_actuals", bounds)
        assert summed == _rows(cursor, "lead_actuals_from_leads", bounds), label
        figures[label] = summed
    return figures


def test_the_actuals_are_their_definition_on_the_fixture(fixture_cursor):
    figures = _same_actuals(fixture_cursor, dt.date(2026, 11, 2))
    # 2026-Q3 by hand, company-wide: MQLs L1, L3; SALs L1, L2, L3; SQLs L1, L3.
    assert figures["last quarter"][(None, None, True, True)] == (2, 3, 2)


def test_the_actuals_are_their_definition_on_the_demo_store(demo_path):
    connection = store.open_store(demo_path, read_only=True)
    try:
        _same_actuals(connection.cursor(), DEMO_AS_OF)
    finally:
        connection.close()


def test_a_lead_listed_twice_counts_twice_as_in_the_definition(fixture_path):
    path = copy_store(fixture_path, fixture_path.parent / "twice.duckdb")
    connection = store.open_store(path)
    try:
        cursor = connection.cursor()
        cursor.execute("insert into leads select * from leads where lead_id = 'L1'")
        for name in ("funnel_listed_twice", "funnel_months"):
            summaries.rebuild(cursor, name)
        figures = _same_actuals(cursor, dt.date(2026, 11, 2))
    finally:
        connection.close()
    # L1 twice: each of its stages in 2026-Q3 counts once more.
    assert figures["last quarter"][(None, None, True, True)] == (3, 4, 3)
