"""The campaign calendar: ranges, the weekly lead flow by hand, overlaps, .ics files and
planning campaigns."""

import datetime as dt
import json

import icalendar
import pandas as pd
import pytest

from conftest import AS_OF, by
from relay import campaigns, cli, ics, report, settings, store, summaries
from relay.views import calendar

JULY = calendar.CalendarFilters(dt.date(2026, 7, 1), dt.date(2026, 7, 31))
PUSH = {  # overlaps C1 (NA SMB, 15 June - 15 July) from 10 July
    "name": "NA SMB <script>alert(1)</script> push", "channel": "Email Nurture",
    "region": "NA", "segment": "SMB", "owner_id": "P4", "status": "live",
    "start_date": dt.date(2026, 7, 10), "end_date": dt.date(2026, 8, 20), "budget": "1000",
    "actual_cost": "", "expected_leads": "200", "description": "=HYPERLINK(\"http://x\")",
}


@pytest.fixture
def with_push(fixture_path, monkeypatch):
    connection = store.open_store(fixture_path)
    campaign_id = by("max.marketer", campaigns.create, connection, PUSH)
    yield connection, campaign_id
    connection.close()


def test_range_presets():
    today = dt.date(2026, 11, 22)
    assert calendar.date_range("next_30", today) == (today, dt.date(2026, 12, 21))
    assert calendar.date_range("next_90", today)[1] == dt.date(2027, 2, 19)
    assert calendar.date_range("this_quarter", today) == (dt.date(2026, 10, 1),
                                                          dt.date(2026, 12, 31))
    assert calendar.date_range("next_quarter", today, 2) == (dt.date(2027, 2, 1),
                                                             dt.date(2027, 4, 30))
    with pytest.raises(calendar.RangeError, match="ends .* before it starts"):
        calendar.date_range("custom", today, first=today, last=today - dt.timedelta(days=1))
    with pytest.raises(calendar.RangeError, match="three years"):
        calendar.date_range("custom", today, first=today, last=today + dt.timedelta(days=1200))
    with pytest.raises(calendar.RangeError, match="Unknown range"):
        calendar.date_range("next_week", today)


def test_calendar_view_by_hand(with_push):
    connection, push_id = with_push
    view = calendar.build(connection.cursor(), JULY, AS_OF)
    table = view.tables["campaigns"].set_index("campaign_id")
    assert sorted(table.index) == sorted(["C1", push_id])  # C2 runs in September
    assert table.loc["C1", "leads_so_far"] == 2  # L1 and L2
    assert table.loc[push_id, "overlaps"] == 1 and table.loc["C1", "overlaps"] == 1
    assert view.tables["overlaps"]["name_a"].tolist() + view.tables["overlaps"][
        "name_b"].tolist() in (["NA SMB webinar", PUSH["name"]], [PUSH["name"], "NA SMB webinar"])
    assert view.value("live_now") == 1  # the push runs to 20 August; C1 ended 15 July
    assert view.value("starting_in_range") == 0
    overlap = view.tables["overlaps"].iloc[0]
    assert (overlap["overlap_from"], overlap["overlap_to"]) == (
        pd.Timestamp("2026-07-10"), pd.Timestamp("2026-07-15"))

    # C1: 100 leads over its 31 days; the push: 200 over 42 days. Weeks start on Monday.
    c1, push = 100 / 31, 200 / 42
    flow = view.tables["lead_flow"].set_index("week")
    expected = {
        dt.date(2026, 6, 29): 5 * c1,               # 1-5 July
        dt.date(2026, 7, 6): 7 * c1 + 3 * push,     # 6-12 July; push from the 10th
        dt.date(2026, 7, 13): 3 * c1 + 7 * push,    # C1 ends on the 15th
        dt.date(2026, 7, 20): 7 * push,
        dt.date(2026, 7, 27): 5 * push,             # 27-31 July
    }
    assert flow["expected_leads"].to_dict() == pytest.approx(expected)
    assert view.value("expected_leads_in_range") == pytest.approx(15 * c1 + 22 * push)
    # L1 arrived from C1 on 2 July; L2 came on 20 June, before the range.
    assert flow["actual_leads"].to_dict() == {
        dt.date(2026, 6, 29): 1, dt.date(2026, 7, 6): 0, dt.date(2026, 7, 13): 0,
        dt.date(2026, 7, 20): 0, dt.date(2026, 7, 27): 0}


def test_weeks_after_today_have_no_actuals_yet(fixture_cursor):
    september = calendar.CalendarFilters(dt.date(2026, 8, 10), dt.date(2026, 9, 30))
    flow = calendar.build(fixture_cursor, september, AS_OF).tables["lead_flow"]
    assert flow.loc[flow["week"] <= AS_OF, "actual_leads"].notna().all()
    assert flow.loc[flow["week"] > AS_OF, "actual_leads"].isna().all()
    # C2: 50 leads over 20-22 September, all in the week of 14 September... and the 21st.
    weekly = flow.set_index("week")["expected_leads"]
    assert weekly[dt.date(2026, 9, 14)] == pytest.approx(50 / 3)
    assert weekly[dt.date(2026, 9, 21)] == pytest.approx(100 / 3)


def test_filters_narrow_the_view(with_push):
    connection, push_id = with_push
    cursor = connection.cursor()
    only = lambda **kw: calendar.build(cursor, calendar.CalendarFilters(  # noqa: E731
        dt.date(2026, 6, 1), dt.date(2026, 9, 30), **kw), AS_OF).tables["campaigns"][
        "campaign_id"].tolist()
    assert only(region="EMEA") == ["C2"]
    assert only(channels=("Webinar", "Events")) == ["C1", "C2"]
    assert only(statuses=("live",)) == [push_id]
    assert only(owners=("P4",), segment="SMB") == ["C1", push_id]


def test_ics_holds_exactly_the_campaigns_in_view_with_stable_ids(with_push):
    connection, push_id = with_push
    view = calendar.build(connection.cursor(), JULY, AS_OF)
    link = "http://relay.example/calendar?region=NA"
    store_id = settings.load(connection.cursor()).store_id
    parsed = icalendar.Calendar.from_ical(
        ics.calendar_file(view.tables["campaigns"], link, "USD", store_id))
    events = {str(e["uid"]): e for e in parsed.walk("VEVENT")}
    uid = f"{push_id}.{store_id}@revenue-relay"
    assert set(events) == {f"C1.{store_id}@revenue-relay", uid}
    push = events[uid]
    assert push.decoded("dtstart") == dt.date(2026, 7, 10)
    assert push.decoded("dtend") == dt.date(2026, 8, 21)  # all-day: the day after the last
    assert str(push["summary"]) == PUSH["name"]  # HTML kept as text
    assert "Owner: Max Marketer <max@example.com>" in str(push["description"])
    assert link in str(push["description"]) and str(push["url"]) == link
    assert int(push["sequence"]) == 1
    by("max.marketer", campaigns.update, connection, push_id, 1, {**PUSH, "budget": "1500"})
    updated = calendar.build(connection.cursor(), JULY, AS_OF).tables["campaigns"]
    again = icalendar.Calendar.from_ical(ics.calendar_file(updated, link, "USD", store_id))
    sequences = {str(e["uid"]): int(e["sequence"]) for e in again.walk("VEVENT")}
    assert sequences[uid] == 2  # same UID, newer: an update


@pytest.mark.parametrize("change, message", [
    ({"end_date": dt.date(2026, 7, 1)}, "before the start date"),
    ({"budget": "-5"}, "cannot be negative"),
    ({"budget": "a lot"}, "is not a number"),
    ({"channel": "Carrier pigeon"}, "Unknown channel"),
    ({"status": "paused"}, "Unknown status"),
    ({"end_date": dt.date(2030, 1, 1)}, "more than three years"),
    ({"name": "  "}, "Give the campaign a name"),
    ({"expected_leads": "12.5"}, "whole number"),
    ({"budget": "inf"}, "cannot be negative or infinite"),
    ({"budget": "1e17"}, "larger than any real campaign"),
    ({"expected_leads": "5e9"}, "larger than any real campaign"),
    ({"start_date": dt.datetime(2026, 7, 10, 9)}, "without a time"),
])
def test_bad_campaigns_are_refused_and_nothing_is_saved(fixture_path, change, message):
    connection = store.open_store(fixture_path)
    before = connection.execute("select count(*) from campaigns").fetchall()
    with pytest.raises(campaigns.CampaignError, match=message):
        by("max", campaigns.create, connection, {**PUSH, **change})
    assert connection.execute("select count(*) from campaigns").fetchall() == before
    assert connection.execute("select count(*) from audit_log").fetchall() == [(0,)]
    connection.close()


def test_campaign_changes_are_versioned_audited_and_conflicts_refused(with_push):
    connection, push_id = with_push
    created = connection.execute(
        "select actor, action, entity_id from audit_log").fetchall()
    assert created == [("max.marketer", "campaign.create", push_id)]
    by("pat", campaigns.update, connection, push_id, 1, {**PUSH, "status": "completed"})
    with pytest.raises(campaigns.CampaignConflict, match="changed by pat"):
        by("sam", campaigns.update, connection, push_id, 1, {**PUSH, "budget": "9"})
    row = connection.execute(
        "select status, budget, version, updated_by from campaigns where campaign_id = ?",
        [push_id]).fetchall()
    assert row == [("completed", 1000, 2, "pat")]
    audit = connection.execute(
        "select before, after from audit_log where action = 'campaign.update'").fetchall()
    assert '"status": "live"' in audit[0][0] and '"status": "completed"' in audit[0][1]


def test_csv_export_neutralises_spreadsheet_formulas(with_push):
    connection, _ = with_push
    table = calendar.build(connection.cursor(), JULY, AS_OF).tables["campaigns"]
    text = report.table_csv(table)
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def run(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_calendar_formats_and_bad_input(capsys, fixture_path):
    base = ["report", "calendar", "--db", str(fixture_path), "--as-of", AS_OF.isoformat()]
    code, out, _ = run(capsys, *base, "--from", "2026-06-01", "--to", "2026-09-30",
                       "--region", "NA")
    assert code == 0
    printed = json.loads(out)
    assert [c["campaign_id"] for c in printed["tables"]["campaigns"]] == ["C1"]
    code, out, _ = run(capsys, *base, "--from", "2026-06-01", "--to", "2026-09-30",
                       "--format", "ics")
    assert code == 0
    events = icalendar.Calendar.from_ical(out).walk("VEVENT")
    assert [str(e["uid"]).split(".")[0] for e in events] == ["C1", "C2"]
    assert str(events[0]["url"]).endswith(
        "/calendar?range=Custom+dates&from=2026-06-01&to=2026-09-30")
    code, out, _ = run(capsys, *base, "--from", "2026-06-01", "--to", "2026-09-30",
                       "--format", "csv")
    assert out.splitlines()[0].startswith("campaign_id,name,channel")
    assert len(out.splitlines()) == 3
    for args, message in [
        (["--from", "2026-09-30", "--to", "2026-06-01"], "before it starts"),
        (["--to", "2026-06-01"], "needs --from and --to"),
        (["--from", "2026-06-01", "--to", "2026-09-30", "--status", "paused"], "paused"),
        (["--from", "2020-01-01", "--to", "2026-09-30"], "three years"),
        (["--from", "2026-01-01", "--to", "2029-01-02"], "three years"),
        (["--from", "9999-12-25", "--to", "9999-12-31"], "between the years"),
        (["--from", "2026-06-01", "--to", "2026-09-30", "--channel", "Telepathy"],
         "Telepathy is not one of"),
        (["--from", "2026-06-01", "--to", "2026-09-30", "--owner", "P99"], "P99"),
        (["--from", "2026-06-01", "--to", "2026-09-30", "--quarter", "2026-Q3"],
         "does not apply to the calendar"),
    ]:
        code, _, err = run(capsys, *base, *args)
        assert code == 2 and message in err, (args, err)


def test_an_unchanged_campaign_saves_nothing_and_keeps_every_digit(with_push):
    connection, push_id = with_push
    exact = {**PUSH, "budget": "1234567.89", "actual_cost": "12345.67"}
    assert by("pat", campaigns.update, connection, push_id, 1, exact)
    assert not by("pat", campaigns.update, connection, push_id, 2, exact)  # nothing changed
    row = connection.execute("select budget, actual_cost, version from campaigns"
                             " where campaign_id = ?", [push_id]).fetchall()
    assert [(float(b), float(c), v) for b, c, v in row] == [(1234567.89, 12345.67, 2)]
    from relay.ui.calendar import _text
    assert _text(1234567.89) == "1234567.89" and _text(12345.0) == "12345"


def test_campaigns_for_all_regions_show_under_a_region_filter_and_can_overlap(fixture_path):
    connection = store.open_store(fixture_path)
    everywhere = by("max", campaigns.create, connection,
                    {**PUSH, "name": "Global launch", "region": None, "segment": None})
    view = calendar.build(connection.cursor(), calendar.CalendarFilters(
        dt.date(2026, 7, 1), dt.date(2026, 7, 31), region="NA"), AS_OF)
    assert everywhere in view.tables["campaigns"]["campaign_id"].tolist()
    overlaps = view.tables["overlaps"]
    assert ((overlaps["campaign_a"] == "C1") & (overlaps["campaign_b"] == everywhere)).any() or (
        (overlaps["campaign_b"] == "C1") & (overlaps["campaign_a"] == everywhere)).any()
    connection.close()


def test_actuals_count_only_leads_up_to_the_as_of_day(fixture_cursor):
    # On 1 July L2 (20 June) had arrived from C1, L1 (2 July) had not.
    view = calendar.build(fixture_cursor, calendar.CalendarFilters(
        dt.date(2026, 6, 1), dt.date(2026, 9, 30)), dt.date(2026, 7, 1))
    table = view.tables["campaigns"].set_index("campaign_id")
    assert table.loc["C1", "leads_so_far"] == 1
    assert view.value("leads_arrived_in_range") == 1
    detail = calendar.campaign_detail(view.tables["campaigns"], "C2")
    assert detail["plan"]["budget"] == 20_000 and detail["plan"]["expected_leads"] == 50


def test_cost_per_lead_so_far_is_the_whole_campaigns(fixture_cursor):
    # C1 (15 Jun – 15 Jul, cost 4,000) brought L2 (20 June) and L1 (2 July) by 15 Aug:
    # 4,000 ÷ 2 over the whole campaign, in June as in July (Campaign performance splits
    # it by quarter).
    view = calendar.build(fixture_cursor, calendar.CalendarFilters(
        dt.date(2026, 7, 1), dt.date(2026, 7, 31)), AS_OF)
    assert calendar.campaign_detail(view.tables["campaigns"], "C1")["actuals"][
        "cost_per_lead"] == 2000
    fixture_cursor.execute("update campaigns set actual_cost = 0 where campaign_id = 'C1'")
    summaries.refresh(fixture_cursor, ["campaigns"])  # by hand
    view = calendar.build(fixture_cursor, calendar.CalendarFilters(
        dt.date(2026, 7, 1), dt.date(2026, 7, 31)), AS_OF)
    free = calendar.campaign_detail(view.tables["campaigns"], "C1")["actuals"]
    assert (free["cost"], free["cost_per_lead"]) == (0, 0)  # free: $0 a lead, not "no cost"


def test_a_store_without_campaign_links_counts_no_leads_as_zero(fixture_cursor):
    fixture_cursor.execute("update leads set campaign_id = null")
    summaries.refresh(fixture_cursor, ["leads"])  # by hand
    view = calendar.build(fixture_cursor, calendar.CalendarFilters(
        dt.date(2026, 6, 1), dt.date(2026, 9, 30)), AS_OF)
    assert view.tables["campaigns"]["leads_so_far"].isna().all()
    assert view.tables["lead_flow"]["actual_leads"].isna().all()
    assert "No lead is linked to a campaign" in view.figures["leads_arrived_in_range"].reason
    detail = calendar.campaign_detail(view.tables["campaigns"], "C1")["actuals"]
    assert detail["leads"] is None and detail["cost_per_lead"] is None
