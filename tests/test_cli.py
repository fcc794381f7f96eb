"""python -m relay: exit codes, messages, and output equal to the view."""

import json
import subprocess
import sys

import pytest

from conftest import AS_OF, PROJECT_ROOT
from relay import cli, report, store
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import overview


def run(capsys, *args):
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_report_overview_json_is_the_view(capsys, fixture_path):
    code, out, err = run(capsys, "report", "overview", "--db", str(fixture_path),
                         "--quarter", "2026-Q3", "--as-of", AS_OF.isoformat())
    assert code == 0, err
    printed = json.loads(out)
    connection = store.open_store(fixture_path, read_only=True)
    expected = report.to_dict(overview.build(connection.cursor(), Filters(Quarter(2026, 3)),
                                             AS_OF))
    connection.close()
    assert printed == json.loads(json.dumps(expected))
    assert printed["figures"]["closed_won"]["value"] == 60_000
    assert printed["figures"]["commit"]["value"] == 75_000


def test_report_overview_csv_with_filters(capsys, fixture_path):
    code, out, _ = run(capsys, "report", "overview", "--db", str(fixture_path), "--quarter",
                       "2026-Q3", "--region", "NA", "--as-of", AS_OF.isoformat(),
                       "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "figure,label,value,state,reason,unit"
    assert "revenue_target,Revenue target,120000.0,known,,currency" in lines
    assert "closed_won,Closed-won,10000.0,known,,currency" in lines
    code, out, _ = run(capsys, "report", "overview", "--db", str(fixture_path), "--quarter",
                       "2026-Q3", "--as-of", AS_OF.isoformat(), "--format", "csv",
                       "--table", "trend")
    assert out.splitlines()[0] == "quarter,revenue_target,closed_won"
    assert out.splitlines()[-1] == "2026-Q3,200000.0,60000.0"


@pytest.mark.parametrize("quarter", ["2026-Q5", "foo"])
def test_a_bad_quarter_is_a_usage_error(capsys, fixture_path, quarter):
    code, out, err = run(capsys, "report", "overview", "--db", str(fixture_path),
                         "--quarter", quarter)
    assert code == 2
    assert out == ""
    assert "YYYY-Qn" in err and quarter in err


def test_an_unknown_region_is_a_usage_error_listing_the_known_ones(capsys, fixture_path):
    code, _, err = run(capsys, "report", "overview", "--db", str(fixture_path),
                       "--region", "Mars")
    assert code == 2
    assert "'Mars' is not in the data" in err and "EMEA, NA" in err


def test_a_missing_store_is_reported_not_created(capsys, tmp_path):
    path = tmp_path / "missing.duckdb"
    code, _, err = run(capsys, "report", "overview", "--db", str(path))
    assert code == 1
    assert "There is no store" in err
    assert not path.exists()


def test_a_corrupt_store_is_reported_and_left_alone(capsys, tmp_path):
    path = tmp_path / "corrupt.duckdb"
    path.write_bytes(b"\x00garbage" * 500)
    code, _, err = run(capsys, "report", "overview", "--db", str(path))
    assert code == 1
    assert "not a store" in err
    assert path.read_bytes() == b"\x00garbage" * 500


def test_demo_builds_once_and_never_overwrites(capsys, tmp_path):
    path = tmp_path / "demo.duckdb"
    code, out, _ = run(capsys, "demo", "--db", str(path), "--leads", "2000",
                       "--as-of", "2026-11-22")
    assert code == 0 and "Built the demo store" in out and "2,000 leads" in out
    before = path.stat().st_mtime_ns
    code, _, err = run(capsys, "demo", "--db", str(path), "--leads", "2000")
    assert code == 1 and "never overwritten" in err
    code, out, _ = run(capsys, "demo", "--db", str(path), "--if-missing")
    assert code == 0 and out == ""
    assert path.stat().st_mtime_ns == before


def test_init_creates_an_empty_store_the_report_can_read(capsys, tmp_path):
    path = tmp_path / "empty.duckdb"
    assert run(capsys, "init", "--db", str(path))[0] == 0
    code, out, _ = run(capsys, "report", "overview", "--db", str(path), "--quarter", "2026-Q3")
    assert code == 0
    figures = json.loads(out)["figures"]
    # Nothing is known of an empty store: no deal means no closed-won, not $0.
    assert figures["closed_won"] == {**figures["closed_won"], "value": None, "state": "unknown",
                                     "reason": "No deals in the store: import deals on the "
                                               "Data page."}
    assert figures["revenue_target"]["value"] is None


def test_bad_flags_exit_2_through_the_module_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "relay", "demo", "--as-of", "22/11/2026", "--db",
         str(tmp_path / "x.duckdb")],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "is not a date; write it as YYYY-MM-DD" in result.stderr


def test_setting_change_is_validated_and_audited(capsys, fixture_path, monkeypatch):
    monkeypatch.setenv("RELAY_USER", "rita.revops")
    code, _, err = run(capsys, "setting", "fiscal_year_start_month", "13", "--db",
                       str(fixture_path))
    assert code == 2 and "1 to 12" in err
    code, out, _ = run(capsys, "setting", "fiscal_year_start_month", "2", "--db",
                       str(fixture_path))
    assert code == 0 and out.strip() == "fiscal_year_start_month = 2"
    connection = store.open_store(fixture_path, read_only=True)
    audit = connection.execute(
        "select actor, action, entity_id, before, after from audit_log").fetchall()
    connection.close()
    assert audit == [("rita.revops", "setting.change", "fiscal_year_start_month", None, '"2"')]
    # With a February start, 15 August 2026 is in FY2027 Q3 (August to October 2026).
    code, out, _ = run(capsys, "report", "overview", "--db", str(fixture_path), "--as-of",
                       AS_OF.isoformat())
    assert json.loads(out)["filters"]["quarter"] == "2027-Q3"


def test_report_goals_and_plan(capsys, fixture_path):
    code, out, _ = run(capsys, "report", "goals", "--db", str(fixture_path), "--quarter",
                       "2026-Q3", "--as-of", AS_OF.isoformat(), "--format", "csv",
                       "--table", "goals")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("goal_id,quarter,metric,goal,")
    assert len(lines) == 7
    code, out, err = run(capsys, "plan", "--db", str(fixture_path), "--quarter", "2026-Q3",
                         "--as-of", AS_OF.isoformat(), "--revenue-target", "1000000",
                         "--set", "win_rate=0.25", "--set", "average_deal_size=50000",
                         "--set", "sql_to_opportunity=0.8", "--set", "sal_to_sql=0.5",
                         "--set", "mql_to_sal=0.4", "--set", "lead_sourced_share=1")
    assert code == 0, err
    figures = json.loads(out)["figures"]
    assert figures["mqls_needed"]["value"] == pytest.approx(500)
    assert figures["pipeline_needed"]["value"] == pytest.approx(4_000_000)


@pytest.mark.parametrize("args, message", [
    (["--set", "win_rate=lots"], "ASSUMPTION=NUMBER"),
    (["--set", "win_rate=1.5"], "at most 1"),
    (["--revenue-target", "-1"], "above zero"),
    (["--quarter", "2026-Q9"], "YYYY-Qn"),
])
def test_plan_refuses_bad_input_with_exit_2(capsys, fixture_path, args, message):
    base = ["plan", "--db", str(fixture_path), "--as-of", AS_OF.isoformat(), "--set",
            "average_deal_size=50000", "--set", "sql_to_opportunity=0.8", "--set",
            "sal_to_sql=0.5", "--set", "mql_to_sal=0.4"]
    code, _, err = run(capsys, *base, *args)
    assert code == 2
    assert message in err
