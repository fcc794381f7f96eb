"""Goals: progress and pace worked out by hand, and every way of changing them."""

import duckdb
import pandas as pd
import pytest

from conftest import AS_OF, by
from relay import editing, goals, sql, store
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import goals as goals_view
from relay.views.common import State

# Goal writes refuse closed quarters by today's date: today is the fixture's AS_OF.
pytestmark = pytest.mark.usefixtures("fixture_today")

Q3 = Filters(Quarter(2026, 3))


def _goal(cursor, quarter, metric, region=None):
    rows = cursor.execute(
        "select goal_id, target, version, updated_by from goals where quarter = ? and metric = ?"
        " and region is not distinct from ?", [quarter, metric, region]).fetchall()
    return rows[0] if rows else None


def _audit(cursor, action=None):
    return cursor.execute(
        "select actor, action, entity, entity_id, before, after from audit_log"
        " where ? is null or action = ? order by \"at\"", [action, action]).df()


def test_current_quarter_goals_with_actuals_and_pace(fixture_cursor):
    view = goals_view.build(fixture_cursor, Q3, AS_OF)
    table = view.tables["goals"].set_index("goal")
    # 15 August: 46 of Q3's 92 days gone, so a linear quarter is half done.
    revenue = table.loc["Closed-won revenue · company-wide"]
    assert (revenue["target"], revenue["actual"]) == (200_000, 60_000)
    assert revenue["attainment"] == pytest.approx(0.3)
    assert revenue["expected_by_now"] == 100_000
    assert revenue["status"] == "Behind pace"
    assert table.loc["Closed-won revenue · NA", "actual"] == 10_000
    assert table.loc["MQLs · company-wide", "status"] == "Behind pace"  # 2 of 5 expected
    assert table.loc["SQLs · company-wide", "status"] == "On pace"  # 2 of 2 expected
    # Win rate is compared with its target, not prorated: won D1, D2, lost D3.
    win_rate = table.loc["Win rate · company-wide"]
    assert win_rate["actual"] == pytest.approx(2 / 3)
    assert (win_rate["expected_by_now"], win_rate["status"]) == (0.5, "On pace")
    assert table.loc["nps · company-wide", "status"] == "Not measured"
    assert view.value("goals_hit") == 2 and view.value("goals_total") == 6
    assert any("No actual is measured for nps" in note.text for note in view.notes)


def test_closed_quarter_review_says_hit_or_missed(fixture_cursor):
    view = goals_view.build(fixture_cursor, Filters(Quarter(2026, 2)), AS_OF)
    row = view.tables["goals"].iloc[0]
    # Won in Q2: H6 6,000 (10 April) + D7 7,000 (30 June).
    assert (row["actual"], row["status"]) == (13_000, "Missed")


def test_region_filter_keeps_that_regions_goals(fixture_cursor):
    view = goals_view.build(fixture_cursor, Filters(Quarter(2026, 3), region="NA"), AS_OF)
    assert view.tables["goals"]["goal"].tolist() == ["Closed-won revenue · NA"]


def test_target_edits_from_the_editor_carry_the_version_first_seen(fixture_cursor):
    table = goals_view.build(fixture_cursor, Q3, AS_OF).tables["goals"]
    seen = editing.snapshot(table)
    edited = table.copy()
    edited.loc[0, "target"] = 123
    first_id = int(table.loc[0, "goal_id"])
    seen[first_id] = 7  # the user first loaded an older version
    assert editing.target_edits(table, edited, seen) == [goals.TargetEdit(first_id, 7, 123)]
    assert editing.target_edits(table, table.copy(), seen) == []


def test_an_edit_bumps_the_version_and_is_audited(fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    goal_id, target, version, _ = _goal(cursor, "2026-Q3", "revenue")
    changed = by("pat.planner", goals.save_targets, connection,
                 [goals.TargetEdit(goal_id, version, "250,000")])
    assert changed == 1
    assert _goal(cursor, "2026-Q3", "revenue")[1:] == (250_000, 2, "pat.planner")
    audit = _audit(cursor, "goal.update").iloc[0]
    assert (audit["actor"], audit["entity"], audit["entity_id"]) == ("pat.planner", "goal",
                                                                    str(goal_id))
    assert '"target": 200000.0' in audit["before"] and '"target": 250000.0' in audit["after"]
    assert '"version": 2' in audit["after"]
    history = goals_view.history(cursor, goal_id)
    assert history["actor"].tolist() == ["pat.planner"]
    connection.close()


def test_a_save_racing_another_is_refused_naming_who_changed_it(fixture_path):
    """Two people, two connections, the same goal: the second save is refused, whole."""
    first = duckdb.connect(str(fixture_path))
    second = duckdb.connect(str(fixture_path))
    revenue_id, _, revenue_version, _ = _goal(first.cursor(), "2026-Q3", "revenue")
    mqls_id, _, mqls_version, _ = _goal(first.cursor(), "2026-Q3", "mqls")
    # Both loaded the page at version 1. Sam saves first.
    by("sam", goals.save_targets, second, [goals.TargetEdit(revenue_id, revenue_version, 210_000)])
    with pytest.raises(goals.GoalConflict) as refused:
        by("pat", goals.save_targets, first, [
            goals.TargetEdit(mqls_id, mqls_version, 12),
            goals.TargetEdit(revenue_id, revenue_version, 220_000),
        ])
    message = str(refused.value)
    assert "changed by sam" in message and "target 210,000" in message
    assert "Nothing was saved" in message
    cursor = first.cursor()
    assert _goal(cursor, "2026-Q3", "revenue")[1] == 210_000
    assert _goal(cursor, "2026-Q3", "mqls")[1:3] == (10, 1)  # the other edit was not written
    assert len(_audit(cursor, "goal.update")) == 1
    first.close()
    second.close()


def test_a_save_during_another_open_transaction_is_refused_as_busy(fixture_path):
    first = duckdb.connect(str(fixture_path))
    second = duckdb.connect(str(fixture_path))
    goal_id, _, version, _ = _goal(first.cursor(), "2026-Q3", "revenue")
    holder = first.cursor()
    holder.execute("begin transaction")
    holder.execute("update goals set target = 1 where goal_id = ?", [goal_id])
    with pytest.raises(goals.GoalBusy, match="at the same moment"):
        by("pat", goals.save_targets, second, [goals.TargetEdit(goal_id, version, 5)])
    holder.execute("rollback")
    assert _goal(first.cursor(), "2026-Q3", "revenue")[1:3] == (200_000, 1)
    first.close()
    second.close()


@pytest.mark.parametrize("metric, value, message", [
    ("revenue", -5, "cannot be negative"),
    ("revenue", "lots", "is not a number"),
    ("revenue", float("nan"), "must be a number"),
    ("win_rate", 1.5, "at most 1"),
    ("win_rate", 0, "above 0"),
])
def test_bad_targets_are_refused_and_nothing_is_saved(fixture_path, metric, value, message):
    connection = store.open_store(fixture_path)
    goal_id, target, version, _ = _goal(connection.cursor(), "2026-Q3", metric)
    with pytest.raises(goals.GoalError, match=message):
        by("pat", goals.save_targets, connection, [goals.TargetEdit(goal_id, version, value)])
    assert _goal(connection.cursor(), "2026-Q3", metric)[1:3] == (target, 1)
    assert _audit(connection.cursor()).empty
    connection.close()


def test_concurrent_new_goals_for_the_same_quarter_cannot_both_pass_the_check(fixture_path):
    """Two planners add the same goal at once: the quarter's revision row makes one wait
    (or fail), never two goals."""
    first = duckdb.connect(str(fixture_path))
    second = duckdb.connect(str(fixture_path))
    by("warm-up", goals.add_goal, first, "2026-Q4", "sqls", None, None, 1, "sales")  # revision row
    holder = first.cursor()
    holder.execute("begin transaction")
    holder.execute("update plan_revisions set revision = revision + 1 where quarter = '2026-Q4'")
    holder.execute("insert into goals (quarter, metric, target, owner_team, updated_by,"
                   " updated_at) values ('2026-Q4', 'revenue', 5, 'shared', 'pat', now())")
    with pytest.raises(goals.GoalBusy):
        by("sam", goals.add_goal, second, "2026-Q4", "revenue", None, None, 7, "shared")
    holder.execute("commit")
    with pytest.raises(goals.GoalError, match="already exists"):
        by("sam", goals.add_goal, second, "2026-Q4", "revenue", None, None, 7, "shared")
    count = first.execute("select count(*) from goals where quarter = '2026-Q4'"
                          " and metric = 'revenue'").fetchall()
    assert count == [(1,)]
    first.close()
    second.close()


def test_two_first_changes_to_a_quarter_at_once_are_retried_not_a_raw_error(
        fixture_path, monkeypatch):
    """Pat and Sam make the first change to 2027-Q1 at the same moment: both insert the
    quarter's revision row. Sam's transaction began before Pat's committed, so DuckDB
    refuses Sam's insert ("on conflict do nothing" or not) with a ConstraintException; it is
    retried, finds the row, and both goals are saved."""
    first = duckdb.connect(str(fixture_path))
    second = duckdb.connect(str(fixture_path))
    real_execute = sql.execute
    raced = []

    def racing_execute(cursor, name, /, **params):
        if name == "ensure_plan_revision" and not raced:
            raced.append(name)
            cursor.execute("select count(*) from plan_revisions")  # Sam's snapshot begins
            by("pat", goals.add_goal, first, "2027-Q1", "revenue", None, None, 9, "shared")
        return real_execute(cursor, name, **params)

    monkeypatch.setattr(sql, "execute", racing_execute)
    by("sam", goals.add_goal, second, "2027-Q1", "mqls", None, None, 40, "marketing")
    assert raced  # the race happened
    rows = first.execute("select metric, updated_by from goals where quarter = '2027-Q1'"
                         " order by metric").fetchall()
    assert rows == [("mqls", "sam"), ("revenue", "pat")]
    assert first.execute("select revision from plan_revisions where quarter = '2027-Q1'"
                         ).fetchall() == [(2,)]
    first.close()
    second.close()


def test_an_insert_that_keeps_colliding_is_refused_as_busy_not_raw(fixture_path):
    """The same collision on every attempt ends in GoalBusy's message, nothing saved."""
    connection = duckdb.connect(str(fixture_path))
    other = duckdb.connect(str(fixture_path))
    quarters = iter(["2027-Q2", "2027-Q3", "2027-Q4"])

    def ensure(cursor):
        cursor.execute("select count(*) from plan_revisions")
        quarter = next(quarters)
        other.execute("insert into plan_revisions values (?, 0, now())", [quarter])
        cursor.execute(sql.load("ensure_plan_revision"), {"quarter": quarter, "at": AS_OF})

    with pytest.raises(goals.GoalBusy, match="at the same moment"):
        goals._write(connection, ensure, {"2027-Q2", "2027-Q3", "2027-Q4"}, idempotent_insert=True)
    with pytest.raises(duckdb.ConstraintException):  # elsewhere a duplicate is a duplicate
        store.write(connection, lambda cursor: cursor.execute(
            "insert into plan_revisions values ('2027-Q2', 0, now())"), busy=goals.GoalBusy)
    connection.close()
    other.close()


def test_adding_a_goal_and_refusing_a_duplicate(fixture_path):
    connection = store.open_store(fixture_path)
    goal_id = by("pat", goals.add_goal, connection, "2026-Q3", "pipeline", "EMEA", None,
                 "90000", "shared")
    assert _goal(connection.cursor(), "2026-Q3", "pipeline", "EMEA") == (goal_id, 90_000, 1, "pat")
    with pytest.raises(goals.GoalError, match="already exists"):
        by("pat", goals.add_goal, connection, "2026-Q3", "pipeline", "EMEA", None, 1, "shared")
    with pytest.raises(goals.GoalError, match="YYYY-Qn"):
        by("pat", goals.add_goal, connection, "2026-Q7", "pipeline", None, None, 1, "shared")
    assert _audit(connection.cursor(), "goal.create")["entity_id"].tolist() == [str(goal_id)]
    connection.close()


def test_start_from_last_quarter_grows_volumes_but_not_rates(fixture_path):
    connection = store.open_store(fixture_path)
    assert by("pat", goals.copy_from_previous, connection, "2026-Q4", 10) == 6
    cursor = connection.cursor()
    assert _goal(cursor, "2026-Q4", "revenue")[1] == pytest.approx(220_000)
    assert _goal(cursor, "2026-Q4", "revenue", "NA")[1] == pytest.approx(132_000)
    assert _goal(cursor, "2026-Q4", "mqls")[1] == 11
    assert _goal(cursor, "2026-Q4", "win_rate")[1] == 0.5
    assert len(_audit(cursor, "goal.create")) == 6
    with pytest.raises(goals.GoalError, match="already has goals"):
        by("pat", goals.copy_from_previous, connection, "2026-Q4", 10)
    with pytest.raises(goals.GoalError, match="has no goals to start from"):
        by("pat", goals.copy_from_previous, connection, "2027-Q2", 10)  # 2027-Q1 has none
    with pytest.raises(goals.GoalError, match="not a number"):
        by("pat", goals.copy_from_previous, connection, "2027-Q1", "ten")
    connection.close()


def _signoffs(cursor, quarter="2026-Q3"):
    return goals_view.build(cursor, Filters(Quarter.parse(quarter)), AS_OF).tables[
        "signoffs"].set_index("side")


def test_sign_off_by_both_sides_and_outdated_by_a_later_change(fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    seen = goals.revision(cursor, "2026-Q3")
    by("mona.marketing", goals.sign_off, connection, "2026-Q3", "marketing", seen)
    by("sid.sales", goals.sign_off, connection, "2026-Q3", "sales", seen)
    state = _signoffs(cursor)
    assert state.loc["marketing", "signed_by"] == "mona.marketing"
    assert state["is_current"].all()
    goal_id, _, version, _ = _goal(cursor, "2026-Q3", "mqls")
    by("pat", goals.save_targets, connection, [goals.TargetEdit(goal_id, version, 11)])
    assert not _signoffs(cursor)["is_current"].any()
    # Signing what one saw before the change is refused: they have not seen the new plan.
    with pytest.raises(goals.GoalError, match="changed while you were looking"):
        by("sid.sales", goals.sign_off, connection, "2026-Q3", "sales", seen)
    by("mona.marketing", goals.sign_off, connection, "2026-Q3", "marketing", seen + 1)
    state = _signoffs(cursor)
    assert bool(state.loc["marketing", "is_current"]) and not bool(state.loc["sales", "is_current"])
    with pytest.raises(goals.GoalError, match="no goals to sign off"):
        by("sid.sales", goals.sign_off, connection, "2027-Q2", "sales", 0)
    with pytest.raises(goals.GoalError, match="marketing or sales"):
        by("fin", goals.sign_off, connection, "2026-Q3", "finance", seen + 1)
    # One person cannot agree for both sides.
    with pytest.raises(goals.GoalError, match="mona.marketing already agreed to the 2026-Q3 "
                                              "plan for marketing"):
        by("mona.marketing", goals.sign_off, connection, "2026-Q3", "sales", seen + 1)
    assert len(_audit(cursor, "plan.sign_off")) == 3
    connection.close()


def test_saving_a_plan_updates_and_creates_goals_with_version_checks(fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    _, _, revenue_version, _ = _goal(cursor, "2026-Q3", "revenue")
    by("pat", goals.save_plan, connection, "2026-Q3", None, None,
       {"revenue": 300_000, "pipeline": 1_200_000},
       {"revenue": revenue_version, "pipeline": None})
    assert _goal(cursor, "2026-Q3", "revenue")[1:3] == (300_000, 2)
    assert _goal(cursor, "2026-Q3", "pipeline")[1:3] == (1_200_000, 1)
    with pytest.raises(goals.GoalConflict):
        by("pat", goals.save_plan, connection, "2026-Q3", None, None, {"revenue": 1},
           {"revenue": revenue_version})
    with pytest.raises(goals.GoalError, match="is not a number"):
        by("pat", goals.save_plan, connection, "2026-Q3", None, None, {"mqls": "many"}, {"mqls": 1})
    connection.close()


def test_a_future_quarter_has_no_actuals_yet(fixture_path):
    connection = store.open_store(fixture_path)
    by("pat", goals.add_goal, connection, "2026-Q4", "revenue", None, None, 1000, "shared")
    view = goals_view.build(connection.cursor(), Filters(Quarter(2026, 4)), AS_OF)
    row = view.tables["goals"].iloc[0]
    assert row["status"] == "Not started"
    assert pd.isna(row["actual"]) and pd.isna(row["attainment"])
    connection.close()


def test_changed_since_names_goals_saved_by_someone_else(fixture_cursor):
    table = goals_view.build(fixture_cursor, Q3, AS_OF).tables["goals"]
    seen = editing.snapshot(table)
    assert editing.changed_since(table, seen).empty
    seen[int(table.loc[2, "goal_id"])] = 0
    assert editing.changed_since(table, seen)["goal_id"].tolist() == [table.loc[2, "goal_id"]]


def test_a_closed_quarter_says_hit_or_missed_by_how_much_without_pace(fixture_path,
                                                                     monkeypatch):
    connection = store.open_store(fixture_path)
    monkeypatch.setenv("RELAY_TODAY", "2026-06-01")  # the goal was set while Q2 was open
    by("pat", goals.add_goal, connection, "2026-Q2", "win_rate", None, None, 0.5, "sales")
    monkeypatch.setenv("RELAY_TODAY", AS_OF.isoformat())
    view = goals_view.build(connection.cursor(), Filters(Quarter(2026, 2)), AS_OF)
    table = view.tables["goals"].set_index("goal")
    # Won in Q2: H6 6,000 and D7 7,000, nothing lost: $13.0K of $150K, a 100% win rate.
    revenue = table.loc["Closed-won revenue · company-wide"]
    assert (revenue["target_shown"], revenue["actual_shown"], revenue["status"],
            revenue["result"]) == ("$150K", "$13.0K", "Missed", "$137K short of target")
    assert pd.isna(revenue["expected_by_now"]) and revenue["expected_shown"] == "—"
    win_rate = table.loc["Win rate · company-wide"]
    assert (win_rate["target_shown"], win_rate["actual_shown"], win_rate["status"],
            win_rate["result"]) == ("50%", "100%", "Hit", "50 points above target")
    assert (view.value("goals_hit"), view.value("goals_total")) == (1, 2)
    connection.close()


def test_the_current_quarter_says_how_far_ahead_or_behind_pace(fixture_cursor):
    table = goals_view.build(fixture_cursor, Q3, AS_OF).tables["goals"].set_index("goal")
    # Half the quarter gone: $100K expected of $200K, $60K closed.
    revenue = table.loc["Closed-won revenue · company-wide"]
    assert (revenue["target_shown"], revenue["expected_shown"], revenue["result"]) == (
        "$200K", "$100K", "$40.0K behind pace")
    # Win rate 2 of 3 against 50%: 16.7 points ahead.
    assert table.loc["Win rate · company-wide", "result"] == "17 points ahead of pace"
    nps = table.loc["nps · company-wide"]
    assert (nps["actual_shown"], nps["result"]) == (
        "—", "Not measured: Revenue Relay has no definition for nps")


def test_a_future_quarter_is_the_plan_only(fixture_path):
    connection = store.open_store(fixture_path)
    by("pat", goals.add_goal, connection, "2026-Q4", "pipeline", None, None, 120_660_000,
       "shared")
    view = goals_view.build(connection.cursor(), Filters(Quarter(2026, 4)), AS_OF)
    row = view.tables["goals"].iloc[0]
    assert row["target_shown"] == "$120.7M"
    assert pd.isna(row["result"]) and row["actual_shown"] == "—"
    hit = view.figures["goals_hit"]
    assert (hit.state, hit.reason) == (
        State.NOT_APPLICABLE, "2026-Q4 has not started: its goals are measured once it does.")
    connection.close()


def test_goal_history_reads_who_when_and_the_target_from_and_to(fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    by("pat", goals.add_goal, connection, "2026-Q4", "win_rate", None, None, 0.28, "sales")
    goal_id, _, version, _ = _goal(cursor, "2026-Q4", "win_rate")
    by("pat.planner", goals.save_targets, connection, [goals.TargetEdit(goal_id, version, 0.3)])
    history = goals_view.history(cursor, goal_id)
    assert history[["actor", "change", "target_before", "target_after", "version"]].to_dict(
        "records") == [
        {"actor": "pat.planner", "change": "Target changed", "target_before": "28%",
         "target_after": "30%", "version": 2},
        {"actor": "pat", "change": "Created", "target_before": "—", "target_after": "28%",
         "version": 1},
    ]
    connection.close()
