"""One clock: with RELAY_TODAY pinned, everything the product writes is stamped with that day."""

import datetime as dt

from conftest import by
from relay import campaigns, goals, settings, sql, store

# Neither the real year nor the fixture's (2026): a stamp from another clock shows at once.
PINNED = dt.date(2031, 2, 3)
CAMPAIGN = {
    "name": "Pinned-day webinar", "channel": "Webinar", "region": "NA", "segment": "SMB",
    "owner_id": "P4", "status": "planned", "start_date": dt.date(2026, 9, 1),
    "end_date": dt.date(2026, 9, 30), "budget": "1000", "actual_cost": "",
    "expected_leads": "50", "description": "",
}


def _days(cursor, query: str, *parameters) -> set[dt.date]:
    return {stamp.date() for (stamp,) in cursor.execute(query, parameters).fetchall()}


def test_every_write_is_stamped_with_the_pinned_day(fixture_path, tmp_path, monkeypatch):
    monkeypatch.setenv("RELAY_TODAY", PINNED.isoformat())
    connection = store.open_store(fixture_path)
    try:
        cursor = connection.cursor()
        # The pinned day's quarter (2031-Q1): the fixture's quarters are closed by then.
        by("pat.planner", goals.add_goal, connection, "2031-Q1", "revenue", None, None,
           200_000, "shared")
        revenue = next(goal for goal in sql.records(cursor, "goals_for_quarter",
                                                    quarter="2031-Q1")
                       if goal["metric"] == "revenue" and goal["region"] is None)
        by("pat.planner", goals.save_targets, connection,
           [goals.TargetEdit(revenue["goal_id"], revenue["version"], "250,000")])
        by("mona.marketing", goals.sign_off, connection, "2031-Q1", "marketing",
           goals.revision(cursor, "2031-Q1"))
        campaign_id = by("max.marketer", campaigns.create, connection, CAMPAIGN)
        by("max.marketer", campaigns.update, connection, campaign_id, 1,
           {**CAMPAIGN, "budget": "1500"})
        by("ada.admin", settings.change, connection, "sla_hours", "12")

        assert _days(cursor, "select updated_at from goals where goal_id = ?",
                     revenue["goal_id"]) == {PINNED}
        assert _days(cursor, "select changed_at from plan_revisions "
                             "where quarter = '2031-Q1'") == {PINNED}
        assert _days(cursor, "select signed_at from plan_signoffs") == {PINNED}
        assert _days(cursor, "select updated_at from campaigns where campaign_id = ?",
                     campaign_id) == {PINNED}
        audited = cursor.execute('select action, "at" from audit_log').fetchall()
        assert {action for action, _ in audited} >= {
            "goal.update", "plan.sign_off", "campaign.create", "campaign.update",
            "setting.change"}
        assert {stamp.date() for _, stamp in audited} == {PINNED}
    finally:
        connection.close()
    # A store created on the pinned day records its migrations on that day too.
    created = store.create(tmp_path / "pinned.duckdb")
    try:
        assert _days(created.cursor(), "select applied_at from schema_version") == {PINNED}
    finally:
        created.close()
