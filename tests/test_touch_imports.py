"""Campaign members import into touches in the Salesforce and HubSpot layouts, end to end:
the credits and the campaign page follow at once; a file with an unknown campaign or an
unreadable date is refused whole, saying what and where."""

import json

import pytest

from conftest import AS_OF, PROJECT_ROOT
from relay import cli, store

SAMPLES = PROJECT_ROOT / "tests" / "data" / "touches"


def run(capsys, *args):
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(path, query):
    connection = store.open_store(path, read_only=True)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def test_a_salesforce_campaign_member_report_imports_and_the_credits_follow(capsys,
                                                                           fixture_path):
    code, _, err = run(capsys, "import", str(SAMPLES / "salesforce-campaign-members.csv"),
                       "--table", "touches", "--preset", "salesforce_touches",
                       "--db", str(fixture_path))
    assert code == 0, err
    assert _rows(fixture_path, "select lead_id, campaign_id, touched_at::varchar, kind "
                               "from touches order by all") == [
        ("L1", "C1", "2026-07-02 10:00:00", "Attended"),
        ("L1", "C1", "2026-07-11 16:15:00", "Clicked"),
        ("L1", "C2", "2026-07-08 09:30:00", "Registered"),
        ("L2", "C1", "2026-06-20 10:00:00", "Attended"),
        ("L4", "C2", "2026-09-30 10:00:00", "Attended"),
    ]
    # D1 (L1's deal, 10,000, created 12 July): three touches before it. W-shaped: C1 on
    # 2 July is the first touch and the MQL touch (MQL on 3 July): 60%; C1 on 11 July the
    # opportunity touch: 30%; C2 holds no role: 10%.
    assert _rows(fixture_path, "select campaign_id, round(sum(w_shaped), 2), "
                               "round(sum(linear), 2) from deal_credits where deal_id = 'D1' "
                               "and journey_until = 'created' group by all order by 1") == [
        ("C1", 9_000.0, 6_666.67), ("C2", 1_000.0, 3_333.33)]
    code, out, err = run(capsys, "report", "campaigns", "--db", str(fixture_path),
                         "--quarter", "2026-Q3", "--as-of", AS_OF.isoformat(),
                         "--model", "w_shaped", "--format", "json")
    assert code == 0, err
    shown = json.loads(out)
    figures = {key: figure["value"] for key, figure in shown["figures"].items()}
    # Both campaigns run in Q3 (C2's touch on 8 July is held to its days, in Q3): D1's
    # 10,000 is created and won by 15 August.
    assert figures["campaign_credited_pipeline"] == 10_000
    assert figures["campaign_credited_revenue"] == 10_000
    credited = {row["campaign_id"]: row["credited_revenue"]
                for row in shown["tables"]["campaigns"]}
    assert credited == {"C1": 9_000, "C2": 1_000}
    # C1's cost in Q3 is 4,000 × 15 of its 31 days; C2 has none recorded.
    cost = 4_000 * 15 / 31
    assert figures["campaign_credited_roi"] == pytest.approx((9_000 - cost) / cost)
    assert any("W-shaped" in note for note in shown["notes"])


def test_a_hubspot_campaign_contacts_export_imports(capsys, fixture_path):
    code, _, err = run(capsys, "import", str(SAMPLES / "hubspot-campaign-contacts.csv"),
                       "--table", "touches", "--preset", "hubspot_touches",
                       "--db", str(fixture_path))
    assert code == 0, err
    assert _rows(fixture_path, "select lead_id, campaign_id, touched_at::varchar, kind "
                               "from touches order by all") == [
        ("L1", "C1", "2026-07-02 10:00:00", "Form submission"),
        ("L1", "C1", "2026-07-11 16:15:00", "Webinar attended"),
        ("L1", "C2", "2026-07-08 09:30:00", "Email click"),
        ("L2", "C1", "2026-06-20 10:00:00", "Form submission"),
    ]


def test_an_unknown_campaign_and_an_unreadable_date_are_refused_saying_where(capsys,
                                                                            fixture_path,
                                                                            tmp_path):
    lines = (SAMPLES / "salesforce-campaign-members.csv").read_text().splitlines()
    lines[2] = "Spring launch,C9,L2,Lead,Attended,6/20/2026 10:00 AM"
    lines[3] = "EMEA event,C2,L1,Lead,Registered,sometime in July"
    bad = tmp_path / "members.csv"
    bad.write_text("\n".join(lines) + "\n")
    code, out, err = run(capsys, "import", str(bad), "--table", "touches",
                         "--preset", "salesforce_touches", "--db", str(fixture_path))
    assert code == 1
    said = out + err
    assert "nothing was written" in said
    assert "members.csv, line 3, column 'Campaign ID': 'C9': no campaign with this ID" in said
    assert ("members.csv, line 4, column 'First Responded Date': 'sometime in July': not a "
            "date and time") in said
    assert _rows(fixture_path, "select count(*) from touches") == [(0,)]
