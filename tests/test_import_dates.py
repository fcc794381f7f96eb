"""Dates are never guessed: each date column's format is decided from every value of the file,
a file both M/D/Y and D/M/Y read is refused until the format is given, a given format is
checked against every value, and dates out of order are listed as warnings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from test_app import app, shown_text
from test_imports import fingerprint, query, run, write_csv

from conftest import DEMO_AS_OF
from relay import store

SALESFORCE_HEADERS = ["Opportunity ID", "Opportunity Owner", "Amount", "Stage", "Created Date",
                      "Close Date"]


def deals_file(path: Path, dates: list[tuple[str, str]]) -> Path:
    """A Salesforce-shaped deals file, one deal per (created, close) pair."""
    return write_csv(path, SALESFORCE_HEADERS, [
        [f"D{number}", "Ann Rep", "1000.00", "Closed Won", created, close]
        for number, (created, close) in enumerate(dates, start=1)])


def stored_dates(path: Path) -> list[tuple]:
    return query(path, "select deal_id, created_at, close_date from deals order by deal_id")


def test_day_month_dates_every_day_12_or_less_are_refused_until_the_format_is_given(
        capsys, empty_path, tmp_path):
    file = deals_file(tmp_path / "uk.csv", [("03/04/2026", "05/06/2026"),
                                            ("01/02/2026 14:30", "11/12/2026")])
    before = fingerprint(empty_path)
    code, _, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path)
    assert code == 1
    assert ("uk.csv, column 'Created Date': 03/04/2026 reads as 3 April 2026 (D/M/Y) or "
            "4 March 2026 (M/D/Y); every value fits both: give the format with --date-format "
            "%d/%m/%Y or %m/%d/%Y") in err
    assert ("column 'Close Date': 05/06/2026 reads as 5 June 2026 (D/M/Y) or 6 May 2026 "
            "(M/D/Y)") in err
    assert fingerprint(empty_path) == before

    code, out, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path,
                         "--date-format", "%d/%m/%Y")
    assert code == 0, err
    assert "2 rows: 2 new" in out
    assert stored_dates(empty_path) == [
        ("D1", dt.datetime(2026, 4, 3), dt.date(2026, 6, 5)),
        ("D2", dt.datetime(2026, 2, 1, 14, 30), dt.date(2026, 12, 11))]


def test_a_column_whose_dates_read_the_same_both_ways_settles_no_other(capsys, empty_path,
                                                                       tmp_path):
    # Close Date holds only days that read alike either way (1 January, 2 February): it
    # shows no order, so Created Date, which reads two ways, is still refused.
    file = deals_file(tmp_path / "alike.csv", [("03/04/2026", "01/01/2026"),
                                               ("05/06/2026", "02/02/2026")])
    code, _, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path)
    assert code == 1
    assert ("column 'Created Date': 03/04/2026 reads as 3 April 2026 (D/M/Y) or 4 March 2026 "
            "(M/D/Y)") in err
    assert "Close Date" not in err.split("The problems:")[1]  # alike both ways: no problem


def test_day_month_is_read_from_a_day_past_12_and_holds_for_the_whole_file(
        capsys, empty_path, tmp_path):
    # Only the created dates show it (25/03); the close dates, all 12 or less, follow them:
    # one export writes every date alike.
    file = deals_file(tmp_path / "uk.csv", [("25/03/2026", "05/06/2026"),
                                            ("1.2.2026", "11-12-2026")])
    code, out, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path)
    assert code == 0, err
    assert stored_dates(empty_path) == [
        ("D1", dt.datetime(2026, 3, 25), dt.date(2026, 6, 5)),
        ("D2", dt.datetime(2026, 2, 1), dt.date(2026, 12, 11))]


def test_month_day_is_read_from_a_day_past_12(capsys, empty_path, tmp_path):
    file = deals_file(tmp_path / "us.csv", [("3/25/2026 1:05 PM", "6/5/2026"),
                                            ("2/1/2026", "12/11/2026"),
                                            ("3/4/26 10:00", "12/31/26")])
    code, out, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path)
    assert code == 0, err
    assert stored_dates(empty_path) == [
        ("D1", dt.datetime(2026, 3, 25, 13, 5), dt.date(2026, 6, 5)),
        ("D2", dt.datetime(2026, 2, 1), dt.date(2026, 12, 11)),
        ("D3", dt.datetime(2026, 3, 4, 10), dt.date(2026, 12, 31))]


def test_iso_with_t_fractions_and_time_zones_is_stored_in_utc(capsys, empty_path, tmp_path):
    file = deals_file(tmp_path / "iso.csv", [("2026-03-04T10:00:00+02:00", "2026-06-05"),
                                            ("2026-03-04T10:00:00Z", "2026-06-05"),
                                            ("2026-03-04 23:30:00.5-0100", "2026-06-05"),
                                            ("2026-03-04T09:15", "2026-06-05")])
    code, out, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path)
    assert code == 0, err
    assert [created for _, created, _ in stored_dates(empty_path)] == [
        dt.datetime(2026, 3, 4, 8), dt.datetime(2026, 3, 4, 10),
        dt.datetime(2026, 3, 5, 0, 30, 0, 500000), dt.datetime(2026, 3, 4, 9, 15)]


def test_excel_serial_numbers_and_date_cells_in_a_workbook(capsys, empty_path, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(SALESFORCE_HEADERS)
    # 46085 days after 1899-12-30 is 2026-03-04; .5 is noon.
    sheet.append(["D1", "Ann Rep", 1000, "Closed Won", 46085.5, 46087])
    sheet.append(["D2", "Ann Rep", 1000, "Closed Won", 46085, 46088])
    # A cell Excel formats as a date arrives as a date and time.
    sheet.append(["D3", "Ann Rep", 1000, "Closed Won", 46085, dt.datetime(2026, 3, 9)])
    book.save(tmp_path / "deals.xlsx")
    code, out, err = run(capsys, "import", tmp_path / "deals.xlsx", "--table", "deals",
                         "--db", empty_path)
    assert code == 0, err
    assert stored_dates(empty_path) == [
        ("D1", dt.datetime(2026, 3, 4, 12), dt.date(2026, 3, 6)),
        ("D2", dt.datetime(2026, 3, 4), dt.date(2026, 3, 7)),
        ("D3", dt.datetime(2026, 3, 4), dt.date(2026, 3, 9))]


def test_a_given_format_is_checked_against_every_value(capsys, empty_path, tmp_path):
    file = deals_file(tmp_path / "mixed.csv", [("03/04/2026", "05/06/2026"),
                                               ("04/13/2026", "2026-07-01"),
                                               ("01/02/2026", "5 June 2026")])
    before = fingerprint(empty_path)
    code, _, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path,
                       "--date-format", "%d/%m/%Y")
    assert code == 1
    assert ("mixed.csv, line 3, column 'Created Date': '04/13/2026': not a date and time "
            "(expected the format you gave, %d/%m/%Y)") in err
    assert ("mixed.csv, line 4, column 'Close Date': '5 June 2026': not a date (expected "
            "the format you gave, %d/%m/%Y)") in err
    # A column the given format reads is read by it alone: an ISO value among them is one too
    # many formats (only a column wholly ISO stays ISO).
    assert ("mixed.csv, line 3, column 'Close Date': '2026-07-01': not a date (expected the "
            "format you gave, %d/%m/%Y)") in err
    assert "3 problem(s)" in err
    assert fingerprint(empty_path) == before

    code, _, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path,
                       "--date-format", "day/month")
    assert code == 1 and "is not a strptime pattern" in err
    assert fingerprint(empty_path) == before


def test_values_no_format_reads_are_listed_with_the_format_the_others_have(
        capsys, empty_path, tmp_path):
    file = deals_file(tmp_path / "odd.csv", [("3/25/2026", "6/5/2026"),
                                             ("2/1/2026", "next week")])
    code, _, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path)
    assert code == 1
    assert ("odd.csv, line 3, column 'Close Date': 'next week': not a date (expected "
            "M/D/YYYY (month first") in err


def test_a_deal_closing_before_it_was_created_is_imported_with_a_warning(
        capsys, empty_path, tmp_path):
    file = deals_file(tmp_path / "back.csv", [("2026-03-10 09:00", "2026-03-01"),
                                              ("2026-03-10 09:00", "2026-03-10"),  # same day
                                              ("2026-03-10", "2026-04-01")])
    code, out, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path)
    assert code == 0, err
    assert "3 rows: 3 new" in out and "1 warning(s)" in out
    assert ("warning: back.csv, line 2, column 'Close Date': '2026-03-01 00:00': closes "
            "before it was created (2026-03-10 00:00)") in out
    assert query(empty_path, "select count(*) from deals") == [(3,)]


def test_lead_dates_out_of_order_are_warnings_also_against_the_stored_lead(
        capsys, empty_path, tmp_path):
    first = write_csv(tmp_path / "leads.csv",
                      ["lead_id", "created_at", "stage", "mql_at", "sal_at", "first_touch_at"], [
                          ["L1", "2026-03-10", "sal", "2026-03-12", "2026-03-11", "2026-03-09"],
                          ["L2", "2026-03-10", "sal", "2026-03-09", "2026-03-20", ""],
                          ["L3", "2026-03-10", "sal", "2026-03-11", "2026-03-15", "2026-03-10"],
                      ])
    code, out, err = run(capsys, "import", first, "--table", "leads", "--db", empty_path)
    assert code == 0, err
    assert "3 warning(s)" in out
    assert ("line 2, column 'first_touch_at': '2026-03-09 00:00': first touch before the lead "
            "was created (2026-03-10 00:00)") in out
    assert ("line 2, column 'sal_at': '2026-03-11 00:00': SAL before the lead's MQL (or "
            "creation) (2026-03-12 00:00)") in out
    assert ("line 3, column 'mql_at': '2026-03-09 00:00': MQL before the lead was created "
            "(2026-03-10 00:00)") in out
    # A later file without the SAL dates: its SQL dates are checked against the stored ones.
    later = write_csv(tmp_path / "sqls.csv", ["lead_id", "created_at", "stage", "sql_at"], [
        ["L3", "2026-03-10", "sql", "2026-03-14"], ["L2", "2026-03-10", "sql", "2026-03-21"]])
    code, out, err = run(capsys, "import", later, "--table", "leads", "--db", empty_path)
    assert code == 0, err
    # L2's stored MQL date still comes before the created date the file gives again.
    assert "2 warning(s)" in out
    assert ("sqls.csv, line 3, column 'mql_at': '2026-03-09 00:00': MQL before the lead was "
            "created (2026-03-10 00:00)") in out
    assert ("sqls.csv, line 2, column 'sql_at': '2026-03-14 00:00': SQL before the lead's SAL "
            "(or MQL, or creation) (2026-03-15 00:00)") in out
    assert query(empty_path, "select lead_id, sql_at from leads where sql_at is not null "
                             "order by lead_id") == [("L2", dt.datetime(2026, 3, 21)),
                                                     ("L3", dt.datetime(2026, 3, 14))]


def test_the_data_page_asks_how_dates_are_written_when_both_readings_fit(app_env, empty_path,
                                                                        tmp_path):
    path = empty_path
    app_env(path, DEMO_AS_OF)
    file = deals_file(tmp_path / "uk.csv", [("03/04/2026", "05/06/2026"),
                                            ("01/02/2026", "11/12/2026")])
    at = app(page="app_pages/data.py")
    at.file_uploader(key="data_file").upload("uk.csv", file.read_bytes(), "text/csv").run()
    assert not at.exception
    assert ("Created Date, Close Date: every date reads both day first and month first"
            in shown_text(at.warning))
    assert "uk.csv: 2 problem(s); nothing was written." in shown_text(at.error)
    listed = at.dataframe[1].value  # after the summary by kind
    # A whole column's problem: a dash for its line and value, never "None".
    assert listed[["line", "column", "value"]].values.tolist() == [
        ["—", "Close Date", "—"], ["—", "Created Date", "—"]]
    assert not [button for button in at.button if button.key == "data_confirm"]
    at.selectbox(key="data_dates_deals").set_value("%d/%m/%Y").run()
    assert not at.exception
    at.button(key="data_confirm").click().run()
    assert not at.exception
    assert "2 new" in shown_text(at.success)
    connection = store.open_store(path)  # the app holds it open read-write in this process
    try:
        assert connection.execute("select deal_id, created_at, close_date from deals "
                                  "order by deal_id").fetchall() == [
            ("D1", dt.datetime(2026, 4, 3), dt.date(2026, 6, 5)),
            ("D2", dt.datetime(2026, 2, 1), dt.date(2026, 12, 11))]
    finally:
        connection.close()


def test_dates_read_both_ways_are_listed_with_the_files_other_problems(
        capsys, empty_path, tmp_path):
    file = write_csv(tmp_path / "both.csv", SALESFORCE_HEADERS, [
        ["D1", "Ann Rep", "1000.00", "Won", "03/04/2026", "05/06/2026"],
        ["D2", "Ann Rep", "lots", "Closed Won", "01/02/2026", "11/12/2026"]])
    before = fingerprint(empty_path)
    code, _, err = run(capsys, "import", file, "--table", "deals", "--db", empty_path)
    assert code == 1
    lines = err.splitlines()
    assert lines[1] == "both.csv: 4 problem(s); nothing was written."
    assert lines[2] == "4 kind(s) of problem:"  # each kind once, then every problem
    kinds = sorted(line.split(":")[0] for line in lines[3:7])
    assert kinds == ["  1 × column 'Amount'", "  1 × column 'Close Date'",
                     "  1 × column 'Created Date'", "  1 × column 'Stage'"]
    assert lines[7] == "The problems:"
    assert lines[8].startswith("both.csv, column 'Close Date': 05/06/2026 reads as")
    assert lines[9].startswith("both.csv, column 'Created Date': 03/04/2026 reads as")
    assert lines[10].startswith("both.csv, line 2, column 'Stage': 'Won': unknown stage")
    assert lines[11].startswith("both.csv, line 3, column 'Amount': 'lots': not an amount")
    assert fingerprint(empty_path) == before


def test_a_mapping_saved_with_european_dates_settles_what_the_file_leaves_open(
        capsys, empty_path, tmp_path):
    from conftest import by
    from relay import layouts

    connection = store.open_store(empty_path)
    try:
        by("ops@example.com", layouts.save_mapping, connection, "UK opportunities", "deals", {
            "deal_id": "Opportunity ID", "owner_id": "Opportunity Owner", "amount": "Amount",
            "crm_stage": "Stage", "created_at": "Created Date", "close_date": "Close Date"},
           "eu")
    finally:
        connection.close()
    file = deals_file(tmp_path / "uk.csv", [("03/04/2026", "05/06/2026")])
    code, out, err = run(capsys, "import", file, "--table", "deals", "--preset",
                         "UK opportunities", "--db", empty_path)
    assert code == 0, err  # the file alone reads both ways; the saved mapping says D/M/Y
    assert stored_dates(empty_path) == [("D1", dt.datetime(2026, 4, 3), dt.date(2026, 6, 5))]


def test_us_dates_past_the_tenth_column_are_read_whatever_columns_come_before(
        capsys, empty_path, tmp_path):
    # import_raw names the file's columns c0, c1, …: here the empty SAL and SQL dates are c1
    # and c2, the US dates c10 to c12, so "c10" < "c2" as text but not in the table's order.
    header = ["lead_id", "sal_at", "sql_at", "stage", "source", "region", "segment", "email",
              "campaign_id", "owner_id", "created_at", "mql_at", "first_touch_at"]
    file = write_csv(tmp_path / "us-leads.csv", header, [
        ["L1", "", "", "mql", "Webinar", "NA", "SMB", "a@example.com", "", "",
         "03/5/2026", "03/14/2026", "03/16/2026"],
        ["L2", "", "", "mql", "Webinar", "NA", "SMB", "b@example.com", "", "",
         "04/2/2026", "04/20/2026", ""],
    ])
    code, out, err = run(capsys, "import", file, "--table", "leads", "--db", empty_path)
    assert code == 0, err + out
    assert query(empty_path, "select lead_id, created_at, mql_at, first_touch_at from leads "
                             "order by lead_id") == [
        ("L1", dt.datetime(2026, 3, 5), dt.datetime(2026, 3, 14), dt.datetime(2026, 3, 16)),
        ("L2", dt.datetime(2026, 4, 2), dt.datetime(2026, 4, 20), None)]
