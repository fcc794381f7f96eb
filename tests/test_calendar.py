"""The campaign calendar: ranges, the weekly lead flow by hand, overlaps, .ics files and
planning campaigns."""

import datetime as dt
import json

import icalendar
import pandas as pd
import pytest

from relay import campaigns, cli, ics, report, store
from relay.views import calendar

from conftest import AS_OF

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
    campaign_id = campaigns.create(connection, PUSH, "max.marketer")
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
    assert table.loc[push_id, "overlaps_with"] == "NA SMB webinar"
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
    parsed = icalendar.Calendar.from_ical(
        ics.calendar_file(view.tables["campaigns"], link, "USD"))
    events = {str(e["uid"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"C1@revenue-relay", f"{push_id}@revenue-relay"}
    push = events[f"{push_id}@revenue-relay"]
    assert push.decoded("dtstart") == dt.date(2026, 7, 10)
    assert push.decoded("dtend") == dt.date(2026, 8, 21)  # all-day: the day after the last
    assert str(push["summary"]) == PUSH["name"]  # HTML kept as text
    assert "Owner: Max Marketer <max@example.com>" in str(push["description"])
    assert link in str(push["description"]) and str(push["url"]) == link
    assert int(push["sequence"]) == 1
    campaigns.update(connection, push_id, 1, {**PUSH, "budget": "1500"}, "max.marketer")
    updated = calendar.build(connection.cursor(), JULY, AS_OF).tables["campaigns"]
    again = icalendar.Calendar.from_ical(ics.calendar_file(updated, link, "USD"))
    sequences = {str(e["uid"]): int(e["sequence"]) for e in again.walk("VEVENT")}
    assert sequences[f"{push_id}@revenue-relay"] == 2  # same UID, newer: an update


@pytest.mark.parametrize("change, message", [
    ({"end_date": dt.date(2026, 7, 1)}, "before the start date"),
    ({"budget": "-5"}, "cannot be negative"),
    ({"budget": "a lot"}, "is not a number"),
    ({"channel": "Carrier pigeon"}, "Unknown channel"),
    ({"status": "paused"}, "Unknown status"),
    ({"end_date": dt.date(2030, 1, 1)}, "more than three years"),
    ({"name": "  "}, "Give the campaign a name"),
    ({"expected_leads": "12.5"}, "whole number"),
])
def test_bad_campaigns_are_refused_and_nothing_is_saved(fixture_path, change, message):
    connection = store.open_store(fixture_path)
    before = connection.execute("select count(*) from campaigns").fetchall()
    with pytest.raises(campaigns.CampaignError, match=message):
        campaigns.create(connection, {**PUSH, **change}, "max")
    assert connection.execute("select count(*) from campaigns").fetchall() == before
    assert connection.execute("select count(*) from audit_log").fetchall() == [(0,)]
    connection.close()


def test_campaign_changes_are_versioned_audited_and_conflicts_refused(with_push):
    connection, push_id = with_push
    created = connection.execute(
        "select actor, action, entity_id from audit_log").fetchall()
    assert created == [("max.marketer", "campaign.create", push_id)]
    campaigns.update(connection, push_id, 1, {**PUSH, "status": "completed"}, "pat")
    with pytest.raises(campaigns.CampaignConflict, match="changed by pat"):
        campaigns.update(connection, push_id, 1, {**PUSH, "budget": "9"}, "sam")
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
    uids = [str(e["uid"]) for e in icalendar.Calendar.from_ical(out).walk("VEVENT")]
    assert uids == ["C1@revenue-relay", "C2@revenue-relay"]
    code, out, _ = run(capsys, *base, "--from", "2026-06-01", "--to", "2026-09-30",
                       "--format", "csv")
    assert out.splitlines()[0].startswith("campaign_id,name,channel")
    assert len(out.splitlines()) == 3
    for args, message in [
        (["--from", "2026-09-30", "--to", "2026-06-01"], "before it starts"),
        (["--to", "2026-06-01"], "needs --from and --to"),
        (["--from", "2026-06-01", "--to", "2026-09-30", "--status", "paused"], "paused"),
        (["--from", "2020-01-01", "--to", "2026-09-30"], "three years"),
    ]:
        code, _, err = run(capsys, *base, *args)
        assert code == 2 and message in err, (args, err)
