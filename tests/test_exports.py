"""Real-shaped CRM exports (tests/data/exports, built from a public CRM dataset): each imports
in one CLI run, says what it skipped or how it read the amounts, and stores the figures the
dataset holds; each broken variant is refused, naming its problem, with nothing changed."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from test_imports import fingerprint, query, run

from conftest import PROJECT_ROOT

EXPORTS = PROJECT_ROOT / "tests" / "data" / "exports"
sys.path.insert(0, str(EXPORTS))
from make_exports import LIST_PRICE  # noqa: E402  the open deals' amounts, as the files have

# The dataset's own stages, mapped once from the command line as a user would; then each
# export imports in one run.
MAVEN_STAGES = ["Won=won,closed", "Lost=lost,omitted", "Engaging=open,pipeline"]


@pytest.fixture
def store_path(tmp_path, capsys, new_store) -> Path:
    path = new_store(tmp_path / "exports.duckdb")
    code, _, err = run(capsys, "stages", "set", *MAVEN_STAGES, "--db", path)
    assert code == 0, err
    return path


def counted_in_euros(capsys, path: Path, name: str) -> None:
    """The European exports come from a company whose store counts in euros."""
    if "-eu" in name:
        code, _, err = run(capsys, "setting", "currency", "EUR", "--db", path)
        assert code == 0, err


def expected() -> dict:
    """The figures, from the dataset's own subset with pandas (not from the exports)."""
    source = pd.read_csv(EXPORTS / "maven-crm-subset.csv", dtype={"close_value": "Int64"})
    engaging = source[source.deal_stage == "Engaging"]
    return {"deals": len(source),
            "won": (int((source.deal_stage == "Won").sum()),
                    int(source.close_value[source.deal_stage == "Won"].sum())),
            "lost": (int((source.deal_stage == "Lost").sum()), 0),
            "open": (len(engaging), sum(LIST_PRICE[product] for product in engaging["product"])),
            "owners": source.sales_agent.nunique()}


def figures(path: Path) -> dict:
    per_status = {status: (count, int(total)) for status, count, total in query(
        path, "select status, count(*), sum(amount) from deals group by status")}
    return {"deals": query(path, "select count(*) from deals")[0][0], **per_status,
            "owners": query(path, "select count(distinct owner_id) from deals")[0][0]}


SHAPES = [
    # file, options, what the preview must say
    ("salesforce-lightning-opportunities.csv", ["--preset", "salesforce"],
     ["skipped 1 repeated header row(s) (line 32)",
      "Amount: read amounts written like 1,054.00 (thousands separators)"]),
    ("salesforce-classic-opportunities.csv", ["--preset", "salesforce"],
     ["skipped the 8-line report footer ('Grand Totals (60 records)' …)",
      "Amount: dropped the currency $"]),
    ("salesforce-lightning-formatted.xlsx", ["--preset", "salesforce"],
     ["skipped 4 title row(s) above the header row",
      "skipped 4 totals row(s) ('Subtotal', 'Total'; line 50, 62, 68, 69)"]),
    ("hubspot-deals-eu.csv", ["--preset", "hubspot"],
     ["Amount: read amounts written like 1.054,00 (decimal comma)",
      "Amount: dropped the currency €"]),
]


@pytest.mark.parametrize(("name", "options", "notes"), SHAPES, ids=[s[0] for s in SHAPES])
def test_a_real_export_imports_in_one_run_with_the_datasets_figures(
        capsys, store_path, name, options, notes):
    counted_in_euros(capsys, store_path, name)
    code, out, err = run(capsys, "import", EXPORTS / name, "--table", "deals", *options,
                         "--db", store_path)
    assert code == 0, err
    for note in notes:
        assert f"Read as exported: {note}" in out, out
    assert f"{name} → deals: 60 rows: 60 new, 0 updated, 0 unchanged, 27 new people." in out
    assert figures(store_path) == expected()
    # One deal, by hand: Moses Frase's Cancity deal, won for 1,054.
    assert query(store_path, "select amount, status, created_at::date, close_date from deals "
                             "where deal_id like '%1C1I7A6R'") == [
        (1054, "won", dt.date(2016, 10, 20), dt.date(2017, 3, 1))]
    # The same file again changes nothing.
    before = fingerprint(store_path)
    code, out, err = run(capsys, "import", EXPORTS / name, "--table", "deals", *options,
                         "--db", store_path)
    assert code == 0 and "0 new, 0 updated, 60 unchanged" in out, err
    assert fingerprint(store_path) == before


BROKEN = [
    ("salesforce-classic-bad-stage.csv", "salesforce",
     ["salesforce-classic-bad-stage.csv, line 6, column 'Stage': 'Negotiating': unknown stage",
      "salesforce-classic-bad-stage.csv, line 11, column 'Stage': 'Negotiating': unknown "
      "stage"], 2),
    ("salesforce-lightning-bad-date.csv", "salesforce",
     ["salesforce-lightning-bad-date.csv, line 9, column 'Close Date': '13/45/2017': not a "
      "date"], 1),
    ("hubspot-deals-eu-bad-amount.csv", "hubspot",
     ["hubspot-deals-eu-bad-amount.csv, line 4, column 'Amount': 'about 1k €': not an "
      "amount"], 1),
]


@pytest.mark.parametrize(("name", "preset", "problems", "count"), BROKEN,
                         ids=[b[0] for b in BROKEN])
def test_a_broken_export_is_refused_naming_its_problem_and_nothing_changes(
        capsys, store_path, name, preset, problems, count):
    counted_in_euros(capsys, store_path, name)
    before = fingerprint(store_path)
    code, out, err = run(capsys, "import", EXPORTS / name, "--table", "deals", "--preset",
                         preset, "--db", store_path)
    assert code == 1 and out == ""
    assert f"{name}: {count} problem(s); nothing was written." in err
    lines = err.splitlines()
    for problem in problems:
        assert any(line.startswith(problem) for line in lines), (problem, err)
    # Only the problems: the footer, the repeated header, the amounts' style are not ones.
    assert sum(line.startswith(f"{name}, ") for line in lines) == count, err
    assert fingerprint(store_path) == before
    assert query(store_path, "select outcome, problems, inserted from import_runs") == [
        ("refused", count, 0)]


def test_an_amount_column_that_reads_two_ways_is_refused_unless_the_delimiter_settles_it(
        capsys, store_path, tmp_path):
    header = "Record ID,Deal Stage,Close Date,Deal owner,Amount,Create Date\n"
    rows = ('1,Closed Won,2026-10-02,Ann,"12,500",2026-09-01\n'
            '2,Closed Won,2026-10-02,Ann,"2,250",2026-09-01\n')
    commas = tmp_path / "commas.csv"
    commas.write_text(header + rows, encoding="utf-8")
    before = fingerprint(store_path)
    code, _, err = run(capsys, "import", commas, "--table", "deals", "--preset", "hubspot",
                       "--db", store_path)
    assert code == 1
    assert ("commas.csv, column 'Amount': every amount like '12,500' reads two ways: 12500 "
            "with a thousands separator, or with a decimal comma") in err
    assert fingerprint(store_path) == before
    # With ';' between values (European Excel) the comma is the decimal one: 12.5 and 2.25.
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text((header + rows).replace(",", ";").replace('"12;500"', "12,500")
                          .replace('"2;250"', "2,250"), encoding="utf-8")
    code, out, err = run(capsys, "import", semicolons, "--table", "deals", "--preset",
                         "hubspot", "--db", store_path)
    assert code == 0, err
    assert "decimal comma, as the file's ';' delimiter says" in out
    assert query(store_path, "select deal_id, amount from deals order by deal_id") == [
        ("1", Decimal("12.50")), ("2", Decimal("2.25"))]


def test_amounts_in_two_currencies_are_refused_and_a_short_row_is_still_a_problem(
        capsys, store_path, tmp_path):
    header = "Record ID,Deal Stage,Close Date,Deal owner,Amount,Create Date\n"
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(header + "1,Closed Won,2026-10-02,Ann,USD 100.00,2026-09-01\n"
                              "2,Closed Won,2026-10-02,Ann,EUR 200.00,2026-09-01\n",
                     encoding="utf-8")
    code, _, err = run(capsys, "import", mixed, "--table", "deals", "--preset", "hubspot",
                       "--db", store_path)
    assert code == 1
    assert ("mixed.csv, column 'Amount': amounts in more than one currency (EUR, USD): "
            "export them in one currency") in err
    # A last line that is no Salesforce footer stays a problem, with the delimiter hint.
    short = tmp_path / "short.csv"
    short.write_text(header + "1,Closed Won,2026-10-02,Ann,100,2026-09-01\n\n"
                              "\"Deals report\"\n", encoding="utf-8")
    code, _, err = run(capsys, "import", short, "--table", "deals", "--preset", "hubspot",
                       "--db", store_path)
    assert code == 1
    assert "short.csv, line 4, column 'Deal Stage': fewer values than the header has" in err
    assert query(store_path, "select count(*) from deals") == [(0,)]


def test_title_lines_above_a_csv_header_are_skipped_and_lines_keep_their_numbers(
        capsys, store_path, tmp_path):
    titled = tmp_path / "titled.csv"
    titled.write_text(
        "Opportunity Pipeline report\nAs of 12/1/2026\n"
        "Opportunity ID,Stage,Amount,Close Date,Created Date,Opportunity Owner\n"
        'A1,Closed Won,"1,054.00",3/15/2027,1/13/2027,Ann\n'  # days past 12: M/D/Y
        "A2,Closed Won,oops,3/15/2027,1/13/2027,Ann\n"
        'Total,,"1,054.00",,,\n', encoding="utf-8")
    code, out, err = run(capsys, "import", titled, "--table", "deals", "--db", store_path)
    assert code == 1
    assert "Read as exported: skipped 2 title line(s) above the header row" in err
    assert "Read as exported: skipped 1 totals row(s) ('Total'; line 6)" in err
    assert "titled.csv: 1 problem(s); nothing was written." in err
    assert "titled.csv, line 5, column 'Amount': 'oops': not an amount" in err


def test_an_unlabelled_sum_below_the_rows_is_skipped_and_said(capsys, store_path, tmp_path):
    summed = tmp_path / "summed.csv"
    summed.write_text(
        "Opportunity Owner,Opportunity ID,Stage,Amount,Close Date,Created Date\n"
        'Ann,A1,Closed Won,"$1,054.00",3/15/2027,1/13/2027\n'  # days past 12: M/D/Y
        'Ann,A2,Closed Lost,$946.00,3/15/2027,1/13/2027\n'
        ',,,"$2,000.00",,\n', encoding="utf-8")
    code, out, err = run(capsys, "import", summed, "--table", "deals", "--db", store_path)
    assert code == 0, err
    assert ("Read as exported: skipped the last row, figures only without a label: a totals "
            "row (line 4)") in out
    assert query(store_path, "select deal_id, amount from deals order by deal_id") == [
        ("A1", 1054), ("A2", 946)]


def test_amounts_in_another_currency_than_the_stores_are_refused(capsys, store_path):
    # The euro export into a store counting in dollars: nothing converts, so nothing goes in
    # (it went in as dollars, the euro sign dropped).
    before = fingerprint(store_path)
    code, _, err = run(capsys, "import", EXPORTS / "hubspot-deals-eu.csv", "--table", "deals",
                       "--preset", "hubspot", "--db", store_path)
    assert code == 1
    assert ("hubspot-deals-eu.csv, column 'Amount': amounts in EUR (€), but the store counts in "
            "USD: nothing converts them") in err
    assert fingerprint(store_path) == before


def test_three_capitals_inside_a_figure_are_no_currency(capsys, store_path, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("Record ID,Deal Stage,Close Date,Deal owner,Amount,Create Date\n"
                   "1,Closed Won,2026-10-02,Ann,1OOO,2026-09-01\n"
                   "2,Closed Won,2026-10-02,Ann,USD 2500.00,2026-09-01\n", encoding="utf-8")
    code, _, err = run(capsys, "import", odd, "--table", "deals", "--preset", "hubspot",
                       "--db", store_path)
    assert code == 1
    assert "odd.csv, line 2, column 'Amount': '1OOO': not an amount" in err
    assert "line 3" not in err.split("The problems:")[1]  # USD 2500.00 reads
