"""Issue #16, items 2 and 3: every kind of problem in one run (a summary by kind, every
problem to a CSV), and what the Data page does the command line does too (--map, the stage
mapping, a dry run that prints the preview); a half-filled stage row is refused."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest
import test_inbox
from streamlit.testing.v1 import AppTest
from test_imports import fingerprint, query, run, write_csv

from conftest import PROJECT_ROOT, by
from relay import handoff, identity, layouts, store

# The inbox tests' fixtures: the dashboard's connection, the store held, its worker.
connection, held, start_worker = test_inbox.connection, test_inbox.held, test_inbox.start_worker

HEADER = ["Opportunity ID", "Opportunity Owner", "Account Name", "Stage", "Amount",
          "Created Date", "Close Date"]
# Stages no store maps by default, and how many rows carry each.
STAGES = {"Won": 2_000, "Lost": 1_200, "Engaging": 800}
ROWS = sum(STAGES.values())  # 4,000
BLANK_EVERY = 8  # rows 0, 8, 16, ...: 500 blank Created Dates
UNKNOWN_STAGE = ("unknown stage: add it to the stage mapping (the Data page, or `python -m "
                 "relay stages set`)")


def deals_file(path: Path, blank_created: bool = True) -> Path:
    stages = [stage for stage, count in STAGES.items() for _ in range(count)]
    rows = []
    for number, stage in enumerate(stages):
        created = "" if blank_created and number % BLANK_EVERY == 0 else "2026-01-05"
        rows.append([f"OPP-{number:05d}", f"Rep {number % 3}", f"Account {number}", stage,
                     "100.00", created, "2026-06-30"])
    return write_csv(path, HEADER, rows)


def test_every_kind_of_problem_in_one_run_and_every_problem_to_a_csv(capsys, empty_path,
                                                                     tmp_path):
    deals = deals_file(tmp_path / "deals.csv")
    before = fingerprint(empty_path)
    problems = tmp_path / "problems.csv"
    code, out, err = run(capsys, "import", deals, "--table", "deals", "--db", empty_path,
                         "--problems", problems)
    assert code == 1
    err = err.removeprefix("Checking deals.csv…\n")
    # 4,000 unknown stages and 500 blank created dates: 4,500 problems, two kinds.
    assert err.startswith("deals.csv: 4,500 problem(s) (the first 1,000 are listed); nothing "
                          "was written.\n2 kind(s) of problem:\n"), err
    lines = err.splitlines()
    assert lines[2] == (f"  4,000 × column 'Stage': {UNKNOWN_STAGE}: Won (2,000 rows), "
                        "Lost (1,200), Engaging (800); e.g. line 2, 3, 4")
    assert lines[3] == ("  500 × column 'Created Date': missing: every row needs a value "
                        "here; e.g. line 2, 10, 18")
    assert lines[4] == "The first 1,000 problem(s):"
    assert lines[5].startswith("deals.csv, line 2, column 'Created Date'")
    assert len(lines) == 5 + 1_000
    with problems.open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == 4_500
    assert sum(row["column"] == "Stage" for row in written) == 4_000
    assert sum(row["value"] == "Engaging" for row in written) == 800
    assert sum(row["column"] == "Created Date" for row in written) == 500
    assert fingerprint(empty_path) == before  # the refusal is only recorded in the history
    assert query(empty_path, "select outcome, problems from import_runs") == [
        ("refused", 4_500)]


def test_the_problems_csv_guards_formulas(capsys, empty_path, tmp_path):
    deals = write_csv(tmp_path / "d.csv", HEADER, [
        ["D1", "Ann", "Acme", "=HYPERLINK(\"x\")", "1.00", "2026-01-05", "2026-06-30"]])
    problems = tmp_path / "problems.csv"
    code, _, err = run(capsys, "import", deals, "--table", "deals", "--db", empty_path,
                       "--problems", problems)
    assert code == 1
    with problems.open(encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == [
            {"line": "2", "column": "Stage", "value": "'=HYPERLINK(\"x\")",
             "reason": UNKNOWN_STAGE}]


def test_the_cli_stage_mapping_lets_the_same_file_import(capsys, empty_path, tmp_path):
    stages_before = len(_mapping(empty_path))
    code, out, err = run(capsys, "stages", "set", "Won=won,closed", "Lost=lost,omitted",
                         "--db", empty_path)
    assert (code, out) == (0, f"Saved the stage mapping ({stages_before + 2} stages).\n"), err
    mapping = tmp_path / "stages.csv"
    write_csv(mapping, ["stage", "status", "forecast_category"],
              [[row["label"], row["status"], row["forecast_category"]]
               for row in _mapping(empty_path)] + [["Engaging", "open", "pipeline"]])
    code, out, err = run(capsys, "stages", "load", mapping, "--db", empty_path)
    assert code == 0, err
    code, out, _ = run(capsys, "stages", "--db", empty_path)
    assert ["Engaging", "open", "pipeline"] in [line.split() for line in out.splitlines()]
    # The file with blank created dates is now refused for them alone.
    code, _, err = run(capsys, "import", deals_file(tmp_path / "deals.csv"), "--table",
                       "deals", "--db", empty_path)
    assert code == 1 and "500 problem(s)" in err and "1 kind(s) of problem" in err
    code, out, err = run(capsys, "import", deals_file(tmp_path / "deals.csv", False),
                         "--table", "deals", "--db", empty_path)
    assert code == 0, err
    assert query(empty_path, "select status, forecast_category, count(*) from deals "
                             "group by all order by 1") == [
        ("lost", "omitted", 1_200), ("open", "pipeline", 800), ("won", "closed", 2_000)]
    audits = query(empty_path, "select count(*) from audit_log "
                               "where action = 'stage_mapping.save'")
    assert audits == [(2,)]


def test_a_bad_stage_from_the_cli_is_a_usage_error_and_saves_nothing(capsys, empty_path):
    before = fingerprint(empty_path)
    code, _, err = run(capsys, "stages", "set", "Won=victory,closed", "--db", empty_path)
    assert code == 2 and "Won: status must be one of open, won, lost" in err
    code, _, err = run(capsys, "stages", "set", "Won", "--db", empty_path)
    assert code == 2 and "STAGE=STATUS,FORECAST_CATEGORY" in err
    assert fingerprint(empty_path) == before


def test_map_makes_an_unrecognised_header_import(capsys, empty_path, tmp_path):
    header = [("Deal Value" if name == "Amount" else name) for name in HEADER]
    deals = write_csv(tmp_path / "d.csv", header, [
        ["D1", "Ann", "Acme", "Closed Won", "1250.50", "2026-01-05", "2026-06-30"],
        ["D2", "Bob", "Beta", "Closed Lost", "99.00", "2026-02-05", "2026-07-31"]])
    code, _, err = run(capsys, "import", deals, "--table", "deals", "--db", empty_path,
                       "--preset", "salesforce")
    assert code == 1 and "no column for amount (headed 'Amount')" in err
    # Recognised as the Salesforce layout once the mapped header counts.
    code, _, err = run(capsys, "import", deals, "--table", "deals", "--db", empty_path,
                       "--map", "Amount=Deal Value")
    assert code == 0, err
    assert query(empty_path, "select deal_id, amount, status from deals order by 1") == [
        ("D1", 1250.50, "won"), ("D2", 99.00, "lost")]
    assert query(empty_path, "select layout from import_runs where outcome = 'imported'") == [
        ("salesforce+map",)]
    code, _, err = run(capsys, "import", deals, "--table", "deals", "--db", empty_path,
                       "--map", "amount=Deal Worth")
    assert code == 2 and "the file has no header 'Deal Worth'" in err
    code, _, err = run(capsys, "import", deals, "--table", "deals", "--db", empty_path,
                       "--map", "value=Deal Value")
    assert code == 2 and "deals has no column 'value'" in err


def test_mapped_headers_find_the_header_row_below_title_lines(capsys, empty_path, tmp_path):
    deals = tmp_path / "custom.csv"
    deals.write_text("Pipeline export\n"
                     "Ref,Owner Name,Worth,Phase,Opened,Closes\n"
                     "D1,Ann,1250.50,Closed Won,2026-01-05,2026-06-30\n", encoding="utf-8")
    code, out, err = run(capsys, "import", deals, "--table", "deals", "--db", empty_path,
                         "--preset", "relay", "--map", "deal_id=Ref", "--map",
                         "owner_id=Owner Name", "--map", "amount=Worth", "--map",
                         "crm_stage=Phase", "--map", "created_at=Opened", "--map",
                         "close_date=Closes")
    assert code == 0, err
    assert "skipped 1 title line(s) above the header row" in out
    assert query(empty_path, "select deal_id, amount, status from deals") == [
        ("D1", 1250.50, "won")]


def test_dry_run_prints_the_preview_and_writes_nothing(capsys, empty_path, tmp_path):
    deals = write_csv(tmp_path / "d.csv", HEADER, [
        ["D1", "Ann", "Acme", "Closed Won", "1250.50", "2026-01-05", "2026-06-30"],
        ["D2", "Bob", "Beta", "Closed Lost", "99.00", "2026-02-05", "2026-07-31"]])
    before = empty_path.read_bytes()
    code, out, err = run(capsys, "import", deals, "--table", "deals", "--db", empty_path,
                         "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("Dry run, nothing written. d.csv → deals: 2 rows: 2 new, 0 updated, "
                        "0 unchanged, 2 new people.")
    assert lines[2] == "The first 2 rows as they will be stored:"
    assert lines[3].split() == ["change", "deal_id", "account", "owner_id", "region",
                                "segment", "amount", "status", "forecast_category",
                                "created_at", "close_date"]
    first = lines[4].split()
    # The owner is a new person (an id made from the name); region and segment: theirs (none).
    assert first[:3] == ["new", "D1", "Acme"] and first[3].startswith("crm-")
    assert first[4:] == ["1250.50", "won", "closed", "2026-01-05", "00:00:00", "2026-06-30"]
    assert lines[5].split()[4:] == ["99.00", "lost", "omitted", "2026-02-05", "00:00:00",
                                    "2026-07-31"]
    assert empty_path.read_bytes() == before


def _mapping(path: Path) -> list[dict]:
    opened = duckdb.connect(str(path), read_only=True)
    try:
        return layouts.stage_mapping(opened.cursor())
    finally:
        opened.close()


def test_a_half_filled_stage_row_is_refused_naming_the_row_and_field(empty_path):
    opened = store.open_store(empty_path)
    try:
        seen = layouts.stage_mapping(opened.cursor())
        rows = [{key: row[key] for key in ("label", "status", "forecast_category")}
                for row in seen] + [{"label": "Won", "status": "won",
                                     "forecast_category": None}]
        with pytest.raises(layouts.LayoutError, match=(
                rf"row {len(seen) + 1} \(Won\): the forecast category is empty")):
            by("admin", layouts.save_stage_mapping, opened, rows, seen)
        assert layouts.stage_mapping(opened.cursor()) == seen
        assert opened.execute("select count(*) from audit_log").fetchall() == [(0,)]
    finally:
        opened.close()


def test_the_data_page_refuses_a_half_filled_stage_row(app_env, empty_path):
    app_env(empty_path, dt.date(2026, 11, 22))
    before = _mapping(empty_path)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at = at.switch_page("app_pages/data.py").run()
    count = len(at.data_editor[0].value)
    # A `required` column makes the browser's grid keep a half-filled new row to itself: the
    # save then went ahead without it. No column is required; the save checks every row.
    assert '"required"' not in at.data_editor[0].proto.columns
    at.session_state["data_stage_editor"] = {
        "edited_rows": {}, "added_rows": [{"label": "Won", "status": "won"}],
        "deleted_rows": []}
    at.run()
    [button for button in at.button if button.label == "Save the stage mapping"][0].click().run()
    assert not at.exception
    errors = " ".join(re.sub(r"\\(.)", r"\1", element.value) for element in at.error)
    assert f"row {count + 1} (Won): the forecast category is empty" in errors
    assert not at.success
    opened = store.open_store(empty_path)  # the app holds it open in this process
    try:
        assert opened.execute("select count(*) from audit_log").fetchall() == [(0,)]
        assert layouts.stage_mapping(opened.cursor()) == before
    finally:
        opened.close()


def test_a_handed_off_import_answers_with_the_same_summary_and_writes_the_problems(
        empty_path, tmp_path):
    """What the dashboard's worker runs for `relay import` when it holds the store."""
    deals = deals_file(tmp_path / "deals.csv")
    problems = tmp_path / "problems.csv"
    opened = store.open_store(empty_path)
    try:
        answer = by("admin", handoff.run_job, opened, {
            "kind": "import", "file": str(deals), "file_name": "deals.csv", "table": "deals",
            "layout": None, "dry_run": False, "actor": "admin", "problems": str(problems)})
    finally:
        opened.close()
    assert answer["counts"]["problems"] == 4_500
    assert answer["problem_kinds"] == [
        f"4,000 × column 'Stage': {UNKNOWN_STAGE}: Won (2,000 rows), Lost (1,200), "
        "Engaging (800); e.g. line 2, 3, 4",
        "500 × column 'Created Date': missing: every row needs a value here; e.g. line 2, "
        "10, 18"]
    assert len(problems.read_text(encoding="utf-8").splitlines()) == 1 + 4_500


def test_the_data_page_summarises_the_kinds_and_offers_every_problem(app_env, empty_path,
                                                                     tmp_path):
    app_env(empty_path, dt.date(2026, 11, 22))
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at = at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="data_file").upload(
        "deals.csv", deals_file(tmp_path / "deals.csv").read_bytes(), "text/csv").run()
    assert not at.exception
    kinds = at.dataframe[0].value
    assert kinds[["count", "column", "values", "lines"]].values.tolist() == [
        [4_000, "Stage", "Won (2,000), Lost (1,200), Engaging (800)", "2, 3, 4"],
        [500, "Created Date", "", "2, 10, 18"]]
    assert len(at.dataframe[1].value) == 1_000  # the first problems, listed
    [download] = [button for button in at.get("download_button")
                  if button.proto.id and "problems" in button.proto.label]
    assert download.proto.label == "Download all 4,500 problems (CSV)"


@pytest.mark.usefixtures("held")
def test_relay_stages_is_handed_to_the_dashboard_holding_the_store(fixture_path, request,
                                                                   capsys):
    connection = request.getfixturevalue("connection")
    test_inbox.serving(request.getfixturevalue("start_worker")())
    before = layouts.stage_mapping(connection.cursor())
    code, out, err = run(capsys, "stages", "set", "Engaging=open,pipeline", "--db",
                         fixture_path)
    assert code == 0, err
    assert out == f"Saved the stage mapping ({len(before) + 1} stages).\n"
    code, out, _ = run(capsys, "stages", "--db", fixture_path)
    assert ["Engaging", "open", "pipeline"] in [line.split() for line in out.splitlines()]
    # Refused by the dashboard as it would be here: a usage error, nothing saved.
    code, _, err = run(capsys, "stages", "set", "Won=won,", "--db", fixture_path)
    assert code == 2 and "row " in err and "(Won): the forecast category is empty" in err
    assert len(layouts.stage_mapping(connection.cursor())) == len(before) + 1
    assert connection.execute("select actor from audit_log where action = "
                              "'stage_mapping.save'").fetchall() == [(identity.acting_user(),)]


def test_a_file_that_cannot_be_read_whole_says_its_kinds_are_among_those_listed(
        capsys, empty_path, tmp_path):
    """Rows with more values than the header are rejected by the CSV reader, before the
    checks: the first 1,000 are listed (and summarised), all are counted."""
    people = write_csv(tmp_path / "people.csv", ["person_id", "name", "team"],
                       [[f"P{n}", f"N{n}", "sales"] for n in range(30_000)]
                       + [[f"Q{n}", f"N{n}", "sales", "extra"] for n in range(1_200)])
    problems = tmp_path / "problems.csv"
    code, _, err = run(capsys, "import", people, "--table", "people", "--db", empty_path,
                       "--problems", problems)
    assert code == 1
    lines = err.splitlines()
    assert lines[1] == ("people.csv: 1,200 problem(s) (the first 1,000 are listed); nothing "
                        "was written.")
    assert lines[2].startswith("1 kind(s) of problem among the first 1,000 (the file could "
                               "not be read whole")
    # The header is line 1, the 30,000 good rows lines 2 to 30,001.
    assert lines[3] == ("  1,000 × more values than the header has columns (3 columns split "
                        "by ','; a different delimiter in this row?); e.g. line 30,002, "
                        "30,003, 30,004")
    assert len(problems.read_text(encoding="utf-8").splitlines()) == 1 + 1_000


def test_a_file_of_one_column_is_told_what_it_lacks(capsys, empty_path, tmp_path):
    # One named column: no repeated header row can be recognised, and none is looked for
    # (DuckDB refused the unused parameter with its own message before).
    file = write_csv(tmp_path / "ids.csv", ["lead_id"], [["L1"], ["L2"]])
    code, out, err = run(capsys, "import", file, "--table", "leads", "--db", empty_path)
    assert code == 1
    assert "no column for created_at" in out + err and "Parameter" not in out + err
    assert query(empty_path, "select count(*) from leads") == [(0,)]
