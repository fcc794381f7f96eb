"""The planning meeting: the split across regions and its reconciliation, sign-off in the room,
the signed plan kept and the review judged against it; worked out by hand."""

import datetime as dt
import json

import pandas as pd
import pytest

from conftest import AS_OF, DEMO_AS_OF, by
from relay import goals, identity, planning, sql, store
from relay.actuals import quarter_actuals
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.identity import Actor, ActorKind, Role
from relay.views import campaign_performance, meeting
from relay.views import goals as goals_view

# Goal writes refuse closed quarters by today's date: today is the fixture's AS_OF.
pytestmark = pytest.mark.usefixtures("fixture_today")


def test_split_adds_up_to_the_company_target_exactly():
    # 100 in thirds: 33.3 each → 33 each, and the one left over goes to the first of the
    # tied rows by name.
    assert planning.split(100, {"A": 1 / 3, "B": 1 / 3, "C": 1 / 3}) == {
        "A": 34, "B": 33, "C": 33}
    # $1,000,500 in thousands by 51% / 26% / 13% / 10%: 1,000 steps → 510, 260, 130, 100;
    # the $500 below a step goes to the largest row.
    shares = {"NA": 0.51, "EMEA": 0.26, "APAC": 0.13, "LATAM": 0.10}
    parts = planning.split(1_000_500, shares, step=1000)
    assert parts == {"NA": 510_500, "EMEA": 260_000, "APAC": 130_000, "LATAM": 100_000}
    assert sum(parts.values()) == 1_000_500
    # 7 MQLs at 50/50: 3.5 each → 3 + 3, the one left to the first by name.
    assert planning.split(7, {"EMEA": 0.5, "NA": 0.5}) == {"EMEA": 4, "NA": 3}


def test_shares_are_of_the_look_back_figure_per_region_or_segment():
    history = {
        (None, None): {"closed_won": 100.0},
        ("NA", None): {"closed_won": 75.0}, ("EMEA", None): {"closed_won": 25.0},
        (None, "SMB"): {"closed_won": 0.0}, (None, "Enterprise"): {"closed_won": 0.0},
        ("NA", "SMB"): {"closed_won": 75.0},  # a region and segment row: not a region's
    }
    assert planning.shares(history, "region", "closed_won") == {"NA": 0.75, "EMEA": 0.25}
    # Nothing at all to share by: equal shares.
    assert planning.shares(history, "segment", "closed_won") == {"SMB": 0.5, "Enterprise": 0.5}


def test_the_reconciliation_names_each_difference():
    lines = planning.reconcile(
        {"revenue": 100.0, "mqls": 50.0},
        {"NA": {"revenue": 60.0, "mqls": 20.0}, "EMEA": {"revenue": 30.0, "mqls": None}},
        ("revenue", "mqls"))
    revenue, mqls = lines
    assert (revenue["rows_total"], revenue["difference"], revenue["adds_up"]) == (90, -10, False)
    assert (mqls["rows_total"], mqls["difference"], mqls["rows_without_target"]) == (
        20, -30, ["EMEA"])


def test_an_edited_split_reconciles_in_words(fixture_cursor):
    rows = meeting.split_rows(fixture_cursor, Quarter(2026, 4), AS_OF,
                              {"revenue": 100_000.0, "mqls": 10.0}, "region")
    # The look-back quarters (2025-Q3 to 2026-Q2) won $11,000, all in NA (H1 $1,000, H3
    # $3,000, D7 $7,000): NA takes the whole revenue target.
    by_row = rows.set_index("row")
    assert by_row.loc["NA", "revenue"] == 100_000
    assert by_row.loc["Company", "revenue"] == 100_000
    split = meeting.reconciliation_of(rows, "USD").set_index("metric")
    assert split.loc["revenue", "verdict"] == "Adds up"
    edited = rows.copy()
    edited.loc[edited["row"] == "NA", "revenue"] = 90_000
    verdict = meeting.reconciliation_of(edited, "USD").set_index("metric").loc["revenue"]
    assert verdict["difference"] == -10_000
    assert verdict["verdict"] == "Rows: $10.0K less than the company goal"


def test_stored_region_goals_that_do_not_add_up_are_named(fixture_cursor):
    # 2026-Q3: company revenue $200,000, NA's $120,000 and no other region.
    table = goals_view.build(fixture_cursor, Filters(Quarter(2026, 3)), AS_OF).tables["goals"]
    lines = meeting.reconciliation(table, "USD").set_index("metric")
    assert lines.loc["revenue", "rows_shown"] == "$120K"
    assert lines.loc["revenue", "verdict"] == "Rows: $80.0K less than the company goal"


def test_saving_the_split_makes_the_regions_add_up(fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    table = goals_view.build(cursor, Filters(Quarter(2026, 3)), AS_OF).tables["goals"]
    rows = {(None, None): {"revenue": 300_000.0, "mqls": 20.0},
            ("NA", None): {"revenue": 180_000.0, "mqls": 12.0},
            ("EMEA", None): {"revenue": 120_000.0, "mqls": 8.0}}
    changed = by("pat", goals.save_plan_rows, connection, "2026-Q3", rows,
                 meeting.seen_versions(table))
    assert changed == 6  # company revenue, MQLs and NA revenue updated; 3 goals new
    table = goals_view.build(cursor, Filters(Quarter(2026, 3)), AS_OF).tables["goals"]
    lines = meeting.reconciliation(table, "USD").set_index("metric")
    assert lines["verdict"].tolist() == ["Adds up", "Adds up"]
    # The version seen is checked: saving again from the old page is refused.
    with pytest.raises(goals.GoalConflict):
        by("pat", goals.save_plan_rows, connection, "2026-Q3", rows,
           {(None, None, "revenue"): 1})
    connection.close()


def _audit_after(cursor):
    rows = cursor.execute("select actor, after from audit_log where action = 'plan.sign_off' "
                          "order by \"at\"").fetchall()
    return [(actor, json.loads(after)) for actor, after in rows]


def test_in_the_room_each_side_signs_as_a_person_of_its_team(fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    seen = goals.revision(cursor, "2026-Q3")
    assert goals.signers(cursor, "marketing") == ["Max Marketer"]
    with pytest.raises(goals.GoalError, match="Max Marketer is not one of the sales team"):
        by("root", goals.sign_off, connection, "2026-Q3", "sales", seen, signer="Max Marketer")
    assert by("root", goals.sign_off, connection, "2026-Q3", "marketing", seen,
              signer="Max Marketer", session="s-1") == "Max Marketer"
    by("root", goals.sign_off, connection, "2026-Q3", "sales", seen, signer="Ann Rep",
       session="s-1")
    state = goals_view.build(cursor, Filters(Quarter(2026, 3)), AS_OF).tables[
        "signoffs"].set_index("side")
    assert state["signed_by"].to_dict() == {"marketing": "Max Marketer", "sales": "Ann Rep"}
    assert state["is_current"].all()
    # The record names who signed; the audit, who drove the laptop and from which session.
    assert [(actor, after["signed_by"], after["session"])
            for actor, after in _audit_after(cursor)] == [
        ("root", "Max Marketer", "s-1"), ("root", "Ann Rep", "s-1")]
    connection.close()


def test_signed_in_each_side_signs_as_themselves(fixture_path):
    connection = store.open_store(fixture_path)
    seen = goals.revision(connection.cursor(), "2026-Q3")
    # Ann (ann@example.com) is of the sales team; Sid, a planner, is nobody's.
    ann = Actor("Ann", Role.PLANNER, email="ann@example.com", how=ActorKind.SIGNED_IN)
    with identity.acting_as(ann):
        with pytest.raises(goals.GoalError, match="you sign as yourself"):
            goals.sign_off(connection, "2026-Q3", "sales", seen, signer="Bob Rep")
        with pytest.raises(goals.GoalError, match="not one of the marketing team's people"):
            goals.sign_off(connection, "2026-Q3", "marketing", seen)
        assert goals.sign_off(connection, "2026-Q3", "sales", seen) == "ann@example.com"
    sid = Actor("Sid", Role.PLANNER, email="sid@example.com", how=ActorKind.SIGNED_IN)
    with identity.acting_as(sid), pytest.raises(goals.GoalError, match="not one of the mark"):
        goals.sign_off(connection, "2026-Q3", "marketing", seen)
    viewer = Actor("Vic", Role.VIEWER, email="vic@example.com", how=ActorKind.SIGNED_IN)
    with identity.acting_as(viewer), pytest.raises(identity.Refused):
        goals.sign_off(connection, "2026-Q3", "marketing", seen)
    connection.close()


def test_the_signed_plan_is_kept_and_a_later_change_is_shown(fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    seen = goals.revision(cursor, "2026-Q3")
    by("root", goals.sign_off, connection, "2026-Q3", "marketing", seen, signer="Max Marketer")
    by("root", goals.sign_off, connection, "2026-Q3", "sales", seen, signer="Ann Rep")
    kept = sql.records(cursor, "signed_goals", quarter="2026-Q3")
    assert len(kept) == 6  # the quarter's six goals, once for the revision both signed
    assert goals_view.changes_since_signed(cursor, "2026-Q3", "USD").empty
    goal_id, version = cursor.execute(
        "select goal_id, version from goals where quarter = '2026-Q3' and metric = 'mqls'"
    ).fetchone()
    by("pat", goals.save_targets, connection, [goals.TargetEdit(goal_id, version, 12)])
    changes = goals_view.changes_since_signed(cursor, "2026-Q3", "USD")
    assert changes[["goal", "change"]].values.tolist() == [["MQLs · company-wide", "10 → 12"]]
    # The review judges the outcome against the plan as signed (10 MQLs), not as edited
    # since (12): 2026-Q3's 2 MQLs by 15 August are 8 short of the plan.
    table = goals_view.build(cursor, Filters(Quarter(2026, 3)), AS_OF).tables["goals"]
    review = meeting.against_signed(cursor, table, "2026-Q3", "USD").set_index("goal")
    mqls = review.loc["MQLs · company-wide"]
    assert (mqls["signed_shown"], mqls["target_shown"]) == ("10", "12")
    assert mqls["result"] == "8 short of the plan"
    assert mqls["judged_on"] == "signed plan"
    connection.close()


def test_pipeline_needed_is_saved_as_pipeline_closed_and_measured_as_won_plus_lost(
        fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    by("pat", goals.add_goal, connection, "2026-Q3", "pipeline_closed", None, None, 100_000,
       "sales")
    table = goals_view.build(cursor, Filters(Quarter(2026, 3)), AS_OF).tables["goals"]
    goal = table.set_index("metric").loc["pipeline_closed"]
    # Closed in Q3 by 15 August: D1 won $10,000, D2 won $50,000, D3 lost $20,000.
    assert goal["actual"] == 80_000
    assert goal["goal"] == "Pipeline closed (won + lost) · company-wide"
    connection.close()


def test_the_meeting_opens_on_the_next_quarter_once_the_current_is_half_gone():
    assert meeting.default_quarter(dt.date(2026, 12, 2)) == Quarter(2027, 1)
    assert meeting.default_quarter(dt.date(2026, 10, 20)) == Quarter(2026, 4)
    assert meeting.closed_before(Quarter(2027, 1), dt.date(2026, 12, 2)) == Quarter(2026, 3)


def test_the_demo_signed_its_closed_quarters(demo_path):
    connection = store.open_store(demo_path, read_only=True)
    try:
        signed = connection.execute(
            "select quarter, list(signed_by order by side) from plan_signoffs group by quarter "
            "order by quarter").fetchall()
        kept = dict(connection.execute(
            "select quarter, count(*) from signed_goals group by quarter").fetchall())
        goals_per_quarter = dict(connection.execute(
            "select quarter, count(*) from goals group by quarter").fetchall())
        marketing = goals.signers(connection.cursor(), "marketing")
        sales = goals.signers(connection.cursor(), "sales")
    finally:
        connection.close()
    closed = [quarter for quarter in goals_per_quarter if quarter < "2026-Q4"]
    assert [quarter for quarter, _ in signed] == sorted(closed)  # not 2026-Q4 nor 2027-Q1
    for quarter, (marketing_signer, sales_signer) in signed:
        assert marketing_signer in marketing and sales_signer in sales
        assert kept[quarter] == goals_per_quarter[quarter]


def test_a_closed_quarter_refuses_every_change_and_sign_off(fixture_path):
    # On 15 Aug 2026 (AS_OF), 2026-Q2 is closed: its goals are the record reviewed.
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    goal_id, version = cursor.execute(
        "select goal_id, version from goals where quarter = '2026-Q2'").fetchone()
    closed = "2026-Q2 is closed"
    with pytest.raises(goals.GoalError, match=closed):
        by("pat", goals.save_targets, connection, [goals.TargetEdit(goal_id, version, 1)])
    with pytest.raises(goals.GoalError, match=closed):
        by("pat", goals.add_goal, connection, "2026-Q2", "mqls", None, None, 5, "marketing")
    with pytest.raises(goals.GoalError, match=closed):
        by("pat", goals.save_plan_rows, connection, "2026-Q2",
           {(None, None): {"mqls": 5.0}}, {})
    with pytest.raises(goals.GoalError, match=closed):
        by("root", goals.sign_off, connection, "2026-Q2", "marketing", 0,
           signer="Max Marketer")
    assert cursor.execute("select target, version from goals where quarter = '2026-Q2'"
                          ).fetchall() == [(150_000, version)]
    assert cursor.execute("select count(*) from plan_revisions where quarter = '2026-Q2'"
                          ).fetchone() == (0,)
    assert cursor.execute("select count(*) from plan_signoffs").fetchone() == (0,)
    connection.close()


def test_the_plan_as_signed_is_the_latest_revision_both_sides_signed(fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    by("root", goals.sign_off, connection, "2026-Q3", "marketing",
       goals.revision(cursor, "2026-Q3"), signer="Max Marketer")
    # One side alone is not a signed plan: every goal is judged on its target, and says so.
    assert goals_view.signed_plan(cursor, "2026-Q3") == {}
    table = goals_view.build(cursor, Filters(Quarter(2026, 3)), AS_OF).tables["goals"]
    review = meeting.against_signed(cursor, table, "2026-Q3", "USD")
    assert set(review["judged_on"]) == {"goal (never signed by both sides)"}
    by("root", goals.sign_off, connection, "2026-Q3", "sales",
       goals.revision(cursor, "2026-Q3"), signer="Ann Rep")
    goal_id, version = cursor.execute(
        "select goal_id, version from goals where quarter = '2026-Q3' and metric = 'mqls'"
    ).fetchone()
    by("pat", goals.save_targets, connection, [goals.TargetEdit(goal_id, version, 2)])
    # Marketing agrees to 2 MQLs; sales never did: the plan as signed still says 10.
    by("root", goals.sign_off, connection, "2026-Q3", "marketing",
       goals.revision(cursor, "2026-Q3"), signer="Max Marketer")
    assert goals_view.signed_plan(cursor, "2026-Q3")[("mqls", None, None)] == 10
    table = goals_view.build(cursor, Filters(Quarter(2026, 3)), AS_OF).tables["goals"]
    review = meeting.against_signed(cursor, table, "2026-Q3", "USD")
    mqls = review.set_index("goal").loc["MQLs · company-wide"]
    assert (mqls["signed_shown"], mqls["target_shown"], mqls["status"], mqls["result"]) == (
        "10", "2", "Missed", "8 short of the plan")
    # What drove the misses is judged on the signed plan too: 2 MQLs of the signed 10 are
    # 80% short, further than revenue ($60K of $200K, 70%) or SQLs (2 of 4, 50%). Against
    # the edited 2 MQLs, revenue would be the stage furthest short.
    drivers = meeting.drivers(cursor, review, Quarter(2026, 3), AS_OF, "USD")
    stage = drivers.set_index("driver").loc["Funnel stage furthest short"]
    assert (stage["where"], stage["figure"]) == ("MQLs", "2 of 10: 8 short of the plan")
    connection.close()


def test_the_campaign_furthest_short_of_its_expected_leads_drove_a_miss(fixture_cursor):
    # Planning 2026-Q4 on 15 Aug reviews 2026-Q2. C1 (15 Jun–15 Jul, 100 leads over its 31
    # days) was expected to bring 16 days' worth in Q2: 51.6 leads; L2 (20 Jun) arrived: 1.
    drivers = meeting.build(fixture_cursor, Filters(Quarter(2026, 4)), AS_OF).tables[
        "drivers"].set_index("driver")
    campaign = drivers.loc["Campaign furthest short of its expected leads"]
    assert (campaign["where"], campaign["figure"]) == (
        "NA SMB webinar", "1 of 52 expected leads arrived: 51 short")


def test_the_split_shows_the_company_win_rate_it_saves(fixture_cursor):
    rows = meeting.split_rows(fixture_cursor, Quarter(2026, 4), AS_OF,
                              {"revenue": 100_000.0, "win_rate": 0.25}, "region")
    # The win rate is the company's, shown on its row as saved; a rate is not split.
    assert rows.columns.tolist() == ["row", "revenue", "win_rate", "share"]
    by_row = rows.set_index("row")
    assert by_row.loc["Company", "win_rate"] == 0.25
    assert by_row.drop("Company")["win_rate"].isna().all()
    saved = meeting.split_targets(rows, "region")
    assert saved[(None, None)] == {"revenue": 100_000, "win_rate": 0.25}
    assert saved[("NA", None)] == {"revenue": 100_000}
    assert meeting.reconciliation_of(rows, "USD")["metric"].tolist() == ["revenue"]


def _quarter_by_quarter(cursor, first: Quarter, last: Quarter, as_of) -> dict:
    """The look-back history as it was read before: each quarter's actuals, summed."""
    history: dict = {}
    step = first
    while step <= last:
        for key, figures in quarter_actuals(cursor, step, as_of).items():
            total = history.setdefault(key, {})
            for name, value in figures.items():
                total[name] = total.get(name, 0.0) + value
        step = step.shift(1)
    return history


def _same_history(cursor, as_of) -> None:
    current = Quarter.containing(as_of, 1)
    for quarter in (current, current.shift(1)):
        for quarters in (1, 4):
            first, last = planning.lookback_window(quarter, as_of, quarters)
            read = meeting.lookback_history(cursor, quarter, as_of, quarters)
            summed = _quarter_by_quarter(cursor, first, last, as_of)
            assert read.keys() == summed.keys()
            for key, figures in summed.items():
                assert read[key] == pytest.approx(figures, rel=1e-12, abs=1e-9), key


def test_the_look_back_read_at_once_is_the_quarters_summed(fixture_cursor, demo_path):
    _same_history(fixture_cursor, AS_OF)
    connection = store.open_store(demo_path, read_only=True)
    try:
        _same_history(connection.cursor(), DEMO_AS_OF)
    finally:
        connection.close()


def _quarters_of_both_stores(fixture_cursor, demo_cursor):
    """The fixture's and the demo store's cursors, each with its as-of day and the quarters
    from two before its current one to the next."""
    for cursor, as_of in ((fixture_cursor, AS_OF), (demo_cursor, DEMO_AS_OF)):
        current = Quarter.containing(as_of, 1)
        for quarter in (current.shift(-2), current.shift(-1), current, current.shift(1)):
            yield cursor, as_of, quarter


def test_the_channel_driver_reads_the_campaign_pages_channel_counts(fixture_cursor, demo_path):
    """The meeting's channel counts, read without the credits, are the campaign page's."""
    connection = store.open_store(demo_path, read_only=True)
    try:
        for cursor, as_of, quarter in _quarters_of_both_stores(fixture_cursor,
                                                               connection.cursor()):
            for region in (None, "NA"):
                chosen = Filters(quarter, region)
                page = campaign_performance.build(cursor, chosen, as_of).tables["channels"]
                counts = campaign_performance.channel_counts(cursor, chosen, as_of)
                columns = campaign_performance.COUNTS + campaign_performance.SOURCED
                pd.testing.assert_frame_equal(counts, page[["channel", *columns]])
    finally:
        connection.close()


def test_the_channel_drivers_mqls_are_the_channel_counts(fixture_cursor, demo_path):
    """The MQLs the channel driver reads alone (campaign_channel_mqls.sql) are those of the
    channel counts, the unknown ones (a future quarter) too."""
    connection = store.open_store(demo_path, read_only=True)
    try:
        for cursor, as_of, quarter in _quarters_of_both_stores(fixture_cursor,
                                                               connection.cursor()):
            for region in (None, "NA"):
                chosen = Filters(quarter, region)
                counts = campaign_performance.channel_counts(cursor, chosen, as_of)
                expected = dict(zip(counts["channel"], counts["mqls"], strict=True))
                read = campaign_performance.channel_mqls(cursor, chosen, as_of)
                assert read.keys() == expected.keys(), (quarter, region)
                for channel, mqls in expected.items():
                    assert (pd.isna(mqls) and pd.isna(read[channel])
                            or read[channel] == mqls), (quarter, region, channel)
    finally:
        connection.close()


def _channel_drop_as_before(cursor, quarter: Quarter, as_of: dt.date) -> str | None:
    """The channel driver's channel as it was found from the whole channel counts."""
    mqls = {}
    for which in (quarter, quarter.shift(-1)):
        channels = campaign_performance.channel_counts(cursor, Filters(which), as_of)
        mqls[which] = dict(zip(channels["channel"], channels["mqls"], strict=True))
    now, before = mqls[quarter], mqls[quarter.shift(-1)]
    drops = {name: before[name] - now.get(name, 0) for name in before
             if pd.notna(before[name]) and pd.notna(now.get(name, 0))}
    drops = {name: drop for name, drop in drops.items() if drop > 0}
    return max(drops, key=drops.get) if drops else None


def test_the_channel_driver_names_the_channel_it_named_before(fixture_cursor, demo_path):
    named = []
    connection = store.open_store(demo_path, read_only=True)
    try:
        for cursor, as_of, quarter in _quarters_of_both_stores(fixture_cursor,
                                                               connection.cursor()):
            found = meeting._channel_drop(cursor, quarter, as_of)
            channel = found["where"] if found else None
            assert channel == _channel_drop_as_before(cursor, quarter, as_of), quarter
            named.append(channel)
    finally:
        connection.close()
    assert any(named)  # some quarter had a channel to name


def test_a_tie_in_the_fall_of_mqls_goes_to_the_first_channel_of_the_table(fixture_cursor,
                                                                          monkeypatch):
    # Webinar and Events both lost 5 MQLs: the channels table lists Events first (more
    # sourced revenue), so Events is named, as when the driver read that table.
    before, now = {"Webinar": 10.0, "Events": 8.0}, {"Webinar": 5.0, "Events": 3.0}
    monkeypatch.setattr(campaign_performance, "channel_mqls", lambda cursor, filters, as_of: (
        now if filters.quarter == Quarter(2026, 3) else before))
    monkeypatch.setattr(campaign_performance, "channel_counts", lambda cursor, filters, as_of: (
        pd.DataFrame({"channel": ["Events", "Webinar"]})))
    found = meeting._channel_drop(fixture_cursor, Quarter(2026, 3), AS_OF)
    assert (found["where"], found["figure"]) == ("Events", "3 MQLs, 5 fewer than in 2026-Q2 (8)")
