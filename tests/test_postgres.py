"""The shared store on a real PostgreSQL (tests/postgres.py starts it): the store contract
on PostgreSQL, every write path shipped there with its change, replicas catching up, the
same conflict rules across replicas, and what happens when PostgreSQL does not answer."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from relay import PROJECT_ROOT, cli, goals, importing, replica, settings, sql, store, summaries
from tests import test_import_people as people_imports
from tests.conftest import AS_OF, by
from tests.postgres import postgres_server, shared_url  # noqa: F401 (fixtures)
from tests.test_access import WRITES

HUBSPOT_DEALS = PROJECT_ROOT / "data" / "samples" / "hubspot-deals.csv"
SALESFORCE_MEMBERS = (PROJECT_ROOT / "tests" / "data" / "touches"
                      / "salesforce-campaign-members.csv")


@pytest.fixture
def shared(shared_url, fixture_path):  # noqa: F811 (the fixture imported above)
    """The fixture store loaded into an empty PostgreSQL database: its address."""
    replica.publish(fixture_path, shared_url)
    return shared_url


@pytest.fixture
def copies(shared, tmp_path):
    """Two replicas' copies of the shared fixture store: open(name) opens one, each closed
    at the end."""
    opened = []

    def open_copy(name: str):
        path = tmp_path / f"{name}.duckdb"
        connection = replica.open_copy(path, shared)
        opened.append((path, connection))
        return connection

    yield open_copy
    for path, connection in opened:
        found = replica.for_path(path)
        if found is not None:
            found.close()
        connection.close()
    replica.close_pools()


def _pg_rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as pg:
        return pg.execute(query).fetchall()


def _open_goal(connection) -> tuple[int, int]:
    """(goal_id, version) of a goal of the fixture's current quarter, 2026-Q3."""
    return connection.execute("select goal_id, version from goals where quarter = '2026-Q3' "
                              "order by goal_id limit 1").fetchone()


def _shown(elements) -> str:
    """What page elements say once their markdown escapes are rendered."""
    return " ".join(re.sub(r"\\(.)", r"\1", element.value) for element in elements)


def _goals(connection) -> dict[int, tuple]:
    with sql.cursor(connection) as cursor:
        return {goal_id: (target, version) for goal_id, target, version in cursor.execute(
            "select goal_id, target, version from goals").fetchall()}


def test_the_shared_store_holds_every_table_of_the_contract_column_for_column(
        shared_url, empty_path):  # noqa: F811
    with psycopg.connect(shared_url) as pg:
        pg.execute(sql.load("postgres/schema"))
        columns = pg.execute(
            "select table_name, array_agg(column_name::text order by ordinal_position) "
            "from information_schema.columns where table_schema = 'public' "
            "and column_name <> '_seq' group by table_name").fetchall()
    new_store = store.open_file(empty_path, read_only=True)
    try:
        expected = {table: list(names) for table, names in
                    sql.rows(new_store, "replica_tables") if table not in summaries.SOURCES}
    finally:
        new_store.close()
    assert dict(columns) == {**expected, "change_log": ["seq", "written_at", "tables"]}


def test_a_copy_holds_what_the_store_it_was_loaded_from_holds(copies, fixture_path):
    copy = copies("a")
    source = store.open_file(fixture_path, read_only=True)
    try:
        for table in ("leads", "deals", "deal_history", "goals", "people", "settings",
                      "deal_states", "campaigns", "audit_log"):
            query = f"select * from {table} order by all"  # noqa: S608 (our table names)
            assert copy.execute(query).fetchall() == source.execute(query).fetchall(), table
    finally:
        source.close()


def test_a_goal_saved_on_one_replica_is_in_postgres_and_reaches_the_other(copies, shared,
                                                                          fixture_today):
    first, second = copies("a"), copies("b")
    goal_id, version = _open_goal(first)
    by("Pat Planner", goals.save_targets, first,
       [goals.TargetEdit(goal_id, version, 123_456)])
    assert _pg_rows(shared, f"select target, version from goals where goal_id = {goal_id}") \
        == [(123_456.0, version + 1)]
    assert _goals(second)[goal_id] != (123_456.0, version + 1)  # not polled yet
    assert "goals" in replica.for_connection(second).poll_once()
    assert _goals(second)[goal_id] == (123_456.0, version + 1)
    assert _goals(second) == _goals(first)


def test_the_same_goal_saved_on_two_replicas_leaves_one_save_and_one_refusal(
        copies, fixture_today):
    first, second = copies("a"), copies("b")
    goal_id, version = _open_goal(first)
    # Both loaded the goal at the same version; the first saves, the second has not polled.
    by("Pat Planner", goals.save_targets, first, [goals.TargetEdit(goal_id, version, 111)])
    with pytest.raises(goals.GoalConflict, match="after you loaded it"):
        by("Sam Seller", goals.save_targets, second,
           [goals.TargetEdit(goal_id, version, 222)])
    # The refusal caught the second copy up: it shows the first save.
    assert _goals(second)[goal_id] == (111.0, version + 1)


def test_new_goals_on_two_replicas_get_different_ids(copies, shared, fixture_today):
    first, second = copies("a"), copies("b")
    one = by("Pat Planner", goals.add_goal, first, "2026-Q4", "mqls", "EMEA", None, 10,
             "marketing")
    other = by("Pat Planner", goals.add_goal, second, "2026-Q4", "mqls", "NA", None, 20,
               "marketing")
    assert one != other
    assert other not in _goals(first)  # not polled yet
    replica.for_connection(first).poll_once()
    assert sorted(_goals(first)) == sorted(row[0] for row in _pg_rows(
        shared, "select goal_id from goals"))
    assert {one, other} <= set(_goals(first))
    assert _goals(first) == _goals(second)


def test_an_import_on_one_replica_is_seen_by_the_other_with_its_summary(copies, shared):
    first, second = copies("a"), copies("b")
    outcome = by("Ada Admin", importing.run, first, HUBSPOT_DEALS, "deals",
                 file_name="deals.csv")
    assert outcome.written
    replica.for_connection(second).poll_once()
    for table in ("deals", "deal_history", "deal_states", "import_runs",
                  "import_row_changes", "audit_log", "people"):
        query = f"select * from {table} order by all"  # noqa: S608 (our table names)
        assert second.execute(query).fetchall() == first.execute(query).fetchall(), table
    [(deals_in_pg,)] = _pg_rows(shared, "select count(*) from deals")
    assert deals_in_pg == first.execute("select count(*) from deals").fetchone()[0]


def test_a_touches_import_ships_its_touches_not_the_whole_table(copies, shared):
    first, second = copies("a"), copies("b")
    # A touch already there that the import does not name: the change must not carry it.
    first.execute("insert into touches values ('L2', 'C2', '2026-05-01 09:00', 'Web visit')")
    outcome = by("Ada Admin", importing.run, first, SALESFORCE_MEMBERS, "touches",
                 layout="salesforce_touches", file_name="members.csv")
    assert outcome.written
    [(plan,)] = _pg_rows(shared, "select tables from change_log order by seq desc limit 1")
    assert plan["touches"] == "keys"
    replica.for_connection(second).poll_once()
    query = "select * from touches order by all"
    imported = first.execute(query).fetchall()
    assert len(imported) == outcome.preview.inserted + 1
    assert second.execute(query).fetchall() == [
        touch for touch in imported if touch[3] != "Web visit"]
    for table in ("deal_credits", "import_runs"):
        query = f"select * from {table} order by all"  # noqa: S608 (our table names)
        assert second.execute(query).fetchall() != [], table


def test_settings_and_forecast_calls_reach_the_other_replica(copies, fixture_today):
    first, second = copies("a"), copies("b")
    by("Ada Admin", settings.change, first, "currency", "EUR")
    replica.for_connection(second).poll_once()
    with sql.cursor(second) as cursor:
        assert settings.load(cursor).currency == "EUR"
    assert second.execute("select count(*) from audit_log").fetchone() == \
        first.execute("select count(*) from audit_log").fetchone()


def test_postgres_unreachable_refuses_the_write_and_keeps_the_copy(copies, monkeypatch,
                                                                    fixture_today):
    first = copies("a")
    before = _goals(first)
    goal_id, _ = _open_goal(first)
    found = replica.for_connection(first)
    monkeypatch.setattr(found, "url", "postgresql://postgres@127.0.0.1:9/nowhere")
    monkeypatch.setenv(replica.TIMEOUT_ENV, "1")
    with pytest.raises(replica.SharedStoreUnreachable,
                       match=r"PostgreSQL at 127\.0\.0\.1:9\) cannot be reached, so "
                             r"nothing was saved"):
        by("Pat Planner", goals.save_targets, first,
           [goals.TargetEdit(goal_id, before[goal_id][1], 999)])
    assert _goals(first) == before  # nothing half-done; reads go on
    assert replica.freshness(found.path, now=found.fresh_at + 3600).startswith("Data as of")
    assert replica.freshness(found.path, now=found.fresh_at) is None


def test_a_copy_reopened_catches_up_instead_of_loading_again(copies, shared, tmp_path):
    first = copies("a")
    found = replica.for_connection(first)
    found.close()
    first.close()
    other = copies("b")
    by("Ada Admin", settings.change, other, "currency", "EUR")
    again = replica.open_copy(tmp_path / "a.duckdb", shared)
    try:
        with sql.cursor(again) as cursor:
            assert settings.load(cursor).currency == "EUR"
            assert sql.rows(cursor, "replica_position")[0][1] == replica.for_connection(
                other).seq
    finally:
        replica.for_connection(again).close()
        again.close()



class Replica:
    """An app replica in a process of its own (tests/replica_worker.py)."""

    def __init__(self, url: str, copy: Path, today: str):
        env = {**os.environ, replica.URL_ENV: url, "RELAY_DB": str(copy),
               replica.POLL_ENV: "0.2", "RELAY_TODAY": today}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.replica_worker"], cwd=PROJECT_ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.read() == {"ready": True}

    def send(self, **command) -> None:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def read(self) -> dict:
        line = self.process.stdout.readline()
        assert line, f"the replica stopped (exit code {self.process.poll()})"
        return json.loads(line)

    def ask(self, **command) -> dict:
        self.send(**command)
        return self.read()

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def two_replicas(shared, tmp_path):
    started = []
    try:
        for name in ("one", "two"):
            started.append(Replica(shared, tmp_path / f"{name}.duckdb", AS_OF.isoformat()))
        yield started
    finally:
        for process in started:
            process.stop()


def test_two_app_processes_share_goals_refuse_the_second_save_and_see_imports(
        two_replicas, shared, fixture_path):
    one, two = two_replicas
    source = store.open_file(fixture_path, read_only=True)
    try:
        goal_id, version = _open_goal(source)
        deals_before = source.execute("select count(*) from deals").fetchone()[0]
    finally:
        source.close()
    # A goal saved on one shows on the other once it polls (every 0.2 s here).
    assert one.ask(do="save_goal", goal_id=goal_id, version=version, target=5000) == \
        {"saved": True}
    assert two.ask(do="wait_goal", goal_id=goal_id, target=5000, timeout=20) == \
        {"goal": [5000.0, version + 1]}
    # Both saving the same goal at once, from the version both loaded: one save, one refusal.
    one.send(do="save_goal", goal_id=goal_id, version=version + 1, target=6000)
    two.send(do="save_goal", goal_id=goal_id, version=version + 1, target=7000)
    answers = [one.read(), two.read()]
    assert answers.count({"saved": True}) == 1
    [refusal] = [reply["refused"] for reply in answers if "refused" in reply]
    assert "after you loaded it" in refusal and "Nothing was saved" in refusal
    saved = 6000.0 if answers[0] == {"saved": True} else 7000.0
    assert _pg_rows(shared, f"select target, version from goals where goal_id = {goal_id}") \
        == [(saved, version + 2)]
    for process in (one, two):
        assert process.ask(do="wait_goal", goal_id=goal_id, target=saved, timeout=20) == \
            {"goal": [saved, version + 2]}
    # An import on one is seen by the other.
    assert one.ask(do="import", file=str(HUBSPOT_DEALS), table="deals", **{"as": "Ada Admin"}) \
        == {"written": True}
    [(deals_after,)] = _pg_rows(shared, "select count(*) from deals")
    assert deals_after > deals_before
    assert two.ask(do="wait_count", table="deals", at_least=deals_after, timeout=20) == \
        {"count": deals_after}


def test_the_command_line_loads_a_store_into_postgres_and_writes_beside_the_dashboard(
        shared_url, fixture_path, tmp_path, monkeypatch, capsys):  # noqa: F811
    monkeypatch.setenv(replica.URL_ENV, shared_url)
    copy = tmp_path / "copy.duckdb"
    monkeypatch.setenv("RELAY_DB", str(copy))
    assert cli.main(["load-shared", str(fixture_path)]) == 0
    assert "Loaded" in capsys.readouterr().out
    assert cli.main(["load-shared", str(fixture_path)]) == 1  # never over a store
    assert "holds a store already; nothing was loaded" in capsys.readouterr().err
    dashboard = store.open_store(copy)  # the dashboard holds this machine's copy
    try:
        # The command works on a copy of its own, written through to PostgreSQL: no hand-off.
        assert cli.main(["setting", "currency", "EUR"]) == 0
        assert _pg_rows(shared_url, "select value from settings where key = 'currency'") \
            == [("EUR",)]
        replica.for_path(copy).poll_once()
        with sql.cursor(dashboard) as cursor:
            assert settings.load(cursor).currency == "EUR"
        assert cli.main(["restore", str(fixture_path)]) == 1
        assert "restore the database with pg_restore" in capsys.readouterr().err
    finally:
        replica.stop_following(copy)
        dashboard.close()
        replica.close_pools()


def test_the_goals_page_saves_through_postgres_and_says_when_it_cannot(
        shared, tmp_path, app_env, monkeypatch):
    from streamlit.testing.v1 import AppTest

    copy = tmp_path / "page.duckdb"
    app_env(copy, AS_OF)
    monkeypatch.setenv(replica.URL_ENV, shared)

    def add_goal(at, target: str):
        [s for s in at.selectbox if s.label == "Metric"][0].select("pipeline")
        [t for t in at.text_input if t.label == "Target"][0].input(target)
        [b for b in at.button if b.label == "Add to 2026-Q3"][0].click().run()

    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    try:
        at.run()
        at.switch_page("app_pages/goals.py").run()
        assert not at.exception
        assert "Data as of" not in _shown(at.caption)
        add_goal(at, "90000")
        assert "Added the pipeline goal to 2026-Q3." in _shown(at.success)
        assert _pg_rows(shared, "select target from goals where metric = 'pipeline' "
                                "and quarter = '2026-Q3' and region is null") == [(90000.0,)]
        # PostgreSQL gone: the page keeps its figures, refuses the save and says how old.
        found = replica.for_path(copy)
        monkeypatch.setattr(found, "url", "postgresql://postgres@127.0.0.1:9/nowhere")
        monkeypatch.setenv(replica.TIMEOUT_ENV, "1")
        monkeypatch.setattr(found, "fresh_at", found.fresh_at - 3600)
        at.switch_page("app_pages/goals.py").run()
        [b for b in at.button if b.label == "Add to 2026-Q3"]  # the page still draws
        assert "Data as of" in _shown(at.caption)
        add_goal(at, "95000")
        assert not at.exception
        assert "cannot be reached, so nothing was saved" in _shown(at.error)
    finally:
        replica.stop_following(copy)
        replica.close_pools()


def test_a_store_file_where_the_copy_would_go_is_never_loaded_over(shared, fixture_path):
    before = fixture_path.read_bytes()
    with pytest.raises(store.StoreError, match="is a store of its own, not a copy"):
        replica.open_copy(fixture_path, shared)
    assert fixture_path.read_bytes() == before
    assert replica.for_path(fixture_path) is None
    replica.close_pools()


def _same_on_both_and_in_postgres(first, second, url: str) -> None:
    """Every shared table (and the summary) holds the same rows on both copies, and
    PostgreSQL as many."""
    tables = sorted(replica.shared_tables(first)) + ["deal_states"]
    with psycopg.connect(url) as pg:
        for table in tables:
            query = f"select * from {table} order by all"  # noqa: S608 (our table names)
            assert first.execute(query).fetchall() == second.execute(query).fetchall(), table
            if table != "deal_states":
                counted = f"select count(*) from {table}"  # noqa: S608 (our table names)
                assert pg.execute(counted).fetchone() == first.execute(counted).fetchone(), \
                    table


def test_every_write_function_reaches_postgres_and_the_other_replica(copies, shared,
                                                                      fixture_today):
    first, second = copies("a"), copies("b")
    following = replica.for_connection(second)
    for name, (_, write) in WRITES.items():
        by("Ada Admin", write, first)
        assert following.poll_once(), name  # the write's change reached the other copy
        _same_on_both_and_in_postgres(first, second, shared)


def test_an_empty_shared_store_takes_imports_whose_people_merge_placeholders(
        shared_url, tmp_path):  # noqa: F811
    paths = [tmp_path / "a.duckdb", tmp_path / "b.duckdb"]
    first, second = (replica.open_copy(path, shared_url) for path in paths)
    try:
        # A new store's defaults came from the migrations, through PostgreSQL.
        assert first.execute("select count(*) from stage_mappings").fetchone()[0] > 0
        by("Ada Admin", importing.run, first, people_imports.deals_file(tmp_path), "deals")
        replica.for_path(paths[1]).poll_once()
        _same_on_both_and_in_postgres(first, second, shared_url)
        assert second.execute("select count(*) from people_placeholders").fetchone() == (2,)
        # The people import moves the placeholders' deals to the real people.
        outcome = by("Ada Admin", importing.run, first,
                     people_imports.people_file(tmp_path), "people")
        assert outcome.written
        assert replica.for_path(paths[1]).poll_once() >= {"deals", "people"}
        _same_on_both_and_in_postgres(first, second, shared_url)
        assert second.execute("select count(*) from people_placeholders").fetchone() == (0,)
        assert second.execute("select distinct owner_id from deals order by 1").fetchall() \
            == [("P1",), ("P2",)]
    finally:
        for path, connection in zip(paths, (first, second), strict=True):
            replica.stop_following(path)
            connection.close()
        replica.close_pools()


def test_a_replica_starting_while_postgres_is_down_opens_the_copy_it_has(
        copies, shared, tmp_path, monkeypatch):
    first = copies("a")
    held = _goals(first)
    seq = replica.for_connection(first).seq
    replica.stop_following(tmp_path / "a.duckdb")
    first.close()
    monkeypatch.setenv(replica.TIMEOUT_ENV, "1")
    again = replica.open_copy(tmp_path / "a.duckdb", "postgresql://postgres@127.0.0.1:9/x")
    try:
        assert _goals(again) == held  # reads go on from the copy
        assert replica.for_connection(again).seq == seq
        with pytest.raises(replica.SharedStoreUnreachable, match="nothing was saved"):
            by("Ada Admin", settings.change, again, "currency", "EUR")
    finally:
        replica.stop_following(tmp_path / "a.duckdb")
        again.close()
    with pytest.raises(replica.SharedStoreUnreachable, match="this copy could not be opened"):
        replica.open_copy(tmp_path / "none.duckdb", "postgresql://postgres@127.0.0.1:9/x")


def test_demo_and_init_make_no_file_where_the_shared_store_copy_goes(tmp_path, monkeypatch,
                                                                     capsys):
    monkeypatch.setenv(replica.URL_ENV, "postgresql://postgres@127.0.0.1:9/x")
    monkeypatch.setenv("RELAY_DB", str(tmp_path / "copy.duckdb"))
    assert cli.main(["demo", "--if-missing"]) == 0  # `make run`: the shared store is there
    assert cli.main(["init"]) == 2
    assert "load-shared" in capsys.readouterr().err
    assert not (tmp_path / "copy.duckdb").exists()
