"""What a committed write tells the rest of the process: the tables it wrote (relay.sql's
recording, relay.store's commit listeners), so that what depends on them can follow."""

from __future__ import annotations

import pytest

from relay import PROJECT_ROOT, goals, importing, sql, store
from tests.conftest import by

HUBSPOT_DEALS = PROJECT_ROOT / "data" / "samples" / "hubspot-deals.csv"


@pytest.fixture
def heard():
    """The (store file name, tables) of each commit the store's listeners hear, and the
    quarters a commit was confined to, if any."""
    notes: list[tuple] = []

    def listener(path, tables, quarters):
        notes.append((path.name, tables) if quarters is None else (path.name, tables, quarters))

    store.on_commit(listener)
    yield notes
    store._commit_listeners.remove(listener)


@pytest.mark.parametrize(("text", "tables"), [
    ("insert into goals (a) values (1) on conflict do update set a = 1", {"goals"}),
    ('update "leads" as stored set stage = 1', {"leads"}),
    ("delete from deal_states;\ninsert into deal_states select * from deal_states_live",
     {"deal_states"}),
    ("select * from goals where updated_at > $since", set()),
    ("CREATE OR REPLACE TABLE import_raw AS SELECT 1", {"import_raw"}),
])
def test_the_tables_a_statement_writes(text, tables):
    assert sql.written_tables(text) == tables


def test_recording_blocks_nest_and_count_for_the_outer_block():
    with sql.recording() as outer:
        sql.record_written({"leads"})
        with sql.recording() as inner:
            sql.record_written({"deals"})
        assert inner == {"deals"}
    assert outer == {"leads", "deals"}
    sql.record_written({"goals"})  # outside any block: nothing to note it in
    assert outer == {"leads", "deals"}


def test_a_goal_save_tells_the_listeners_what_it_wrote(fixture_path, heard):
    connection = store.open_store(fixture_path)
    try:
        by("Pat Planner", goals.add_goal, connection, "2026-Q4", "pipeline", None, None,
           1_000_000, "shared")
    finally:
        connection.close()
    # The quarter's revision row first (its own commit, goals._change_quarter), then the goal:
    # both confined to the quarter's goals and plan records.
    assert heard == [(fixture_path.name, frozenset({"plan_revisions"}), frozenset({"2026-Q4"})),
                     (fixture_path.name, frozenset({"goals", "audit_log", "plan_revisions"}),
                      frozenset({"2026-Q4"}))]


def test_a_refused_write_tells_nobody(fixture_path, heard):
    connection = store.open_store(fixture_path)
    try:
        with pytest.raises(goals.GoalError):
            by("Pat Planner", goals.add_goal, connection, "2026-Q4", " ", None, None, 1,
               "shared")

        def fails(cursor):
            sql.execute(cursor, "upsert_setting", key="currency", value="EUR")
            raise RuntimeError("the work failed after writing")

        with pytest.raises(RuntimeError):
            store.write(connection, fails)
    finally:
        connection.close()
    assert heard == []


def test_an_import_tells_the_listeners_its_table_and_the_summaries_rebuilt(fixture_path, heard):
    connection = store.open_store(fixture_path)
    try:
        outcome = by("Ada Admin", importing.run, connection, HUBSPOT_DEALS, "deals",
                     file_name="deals.csv")
    finally:
        connection.close()
    assert outcome.written
    [(name, tables)] = heard
    assert name == fixture_path.name
    assert {"deals", "deal_history", "deal_states", "import_runs"} <= tables
    assert "goals" not in tables and "leads" not in tables
