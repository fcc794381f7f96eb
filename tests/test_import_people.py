"""Issue #16, people: an owner an import does not know becomes a placeholder person, once;
a later people import merges the placeholder into the real person, so that deals-then-people
and people-then-deals give the same store, and re-importing either file changes nothing."""

from __future__ import annotations

import json

from test_imports import fingerprint, query, run, write_csv

from relay import importing, store

DEALS_HEADER = ["deal_id", "owner_id", "amount", "status", "forecast_category", "created_at",
                "close_date"]
PEOPLE_HEADER = ["person_id", "name", "email", "team", "region", "segment"]


def deals_file(tmp_path):
    return write_csv(tmp_path / "deals.csv", DEALS_HEADER, [
        ["D1", "Ana Ruiz", "100.00", "open", "commit", "2026-10-01", "2026-12-01"],
        ["D2", " ana ruiz", "200.00", "won", "closed", "2026-10-02", "2026-11-01"],
        ["D3", "Ben Okafor <ben@example.com>", "300.00", "open", "pipeline", "2026-10-03",
         "2026-12-15"],
    ])


def people_file(tmp_path):
    return write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [
        ["P1", "Ana Ruiz", "", "sales", "EMEA", "Mid"],
        ["P2", "Benjamin Okafor", "BEN@example.com", "sales", "NA", "Ent"],
        ["P3", "Cy Diaz", "cy@example.com", "sales", "NA", "SMB"],
    ])


def snapshot(path):
    return (query(path, "select people.*, placeholders.person_id is not null as placeholder "
                        "from people left join people_placeholders as placeholders "
                        "using (person_id) order by person_id"),
            query(path, "select * from deals order by deal_id"))


def imported(capsys, path, file, table):
    code, out, err = run(capsys, "import", file, "--table", table, "--db", path)
    assert code == 0, err
    return out


def test_deals_then_people_equals_people_then_deals(capsys, tmp_path, new_store):
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for path in (first, second):
        new_store(path)
    deals, people = deals_file(tmp_path), people_file(tmp_path)

    out = imported(capsys, first, deals, "deals")
    assert "3 rows: 3 new, 0 updated, 0 unchanged, 2 new people" in out
    # One placeholder per owner: Ana by her name (twice written), Ben by his email.
    assert query(first, "select name, email, person_id in (select person_id from "
                        "people_placeholders) from people order by name") == [
        ("Ana Ruiz", None, True), ("Ben Okafor", "ben@example.com", True)]
    out = imported(capsys, first, people, "people")
    assert "3 rows: 3 new, 0 updated, 0 unchanged, 2 placeholder people merged" in out

    imported(capsys, second, people, "people")
    imported(capsys, second, deals, "deals")

    assert snapshot(first) == snapshot(second)
    people_rows, deal_rows = snapshot(first)
    assert [row[0] for row in people_rows] == ["P1", "P2", "P3"]
    assert not any(row[-1] for row in people_rows)
    # Owners followed the merge, and deals without a region took their owner's.
    assert query(first, "select deal_id, owner_id, region, segment from deals "
                        "order by deal_id") == [("D1", "P1", "EMEA", "Mid"),
                                                ("D2", "P1", "EMEA", "Mid"),
                                                ("D3", "P2", "NA", "Ent")]
    merges = query(first, "select entity_id, before, after from audit_log "
                          "where action = 'people.merge' order by entity_id")
    assert [(person, json.loads(after)["moved"]) for person, _, after in merges] == [
        ("P1", {"deals": 2}), ("P2", {"deals": 1})]
    # deal_states (a summary) was rebuilt with the new owners.
    assert query(first, "select distinct owner_id from deal_states order by 1") == [
        ("P1",), ("P2",)]

    # Re-importing either file, in either store, changes nothing.
    for path in (first, second):
        assert "0 new, 0 updated, 3 unchanged" in imported(capsys, path, deals, "deals")
        out = imported(capsys, path, people, "people")
        assert "0 new, 0 updated, 3 unchanged." in out
    assert snapshot(first) == snapshot(second)


def test_two_people_of_one_name_are_a_problem_with_a_way_out(capsys, empty_path, tmp_path):
    people = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [
        ["P1", "Sam Lee", "", "sales", "EMEA", ""],
        ["P2", "Sam Lee", "", "sales", "NA", ""],
    ])
    imported(capsys, empty_path, people, "people")
    by_name = write_csv(tmp_path / "deals.csv", DEALS_HEADER, [
        ["D1", "Sam Lee", "100", "open", "commit", "2026-10-01", "2026-12-01"]])
    code, _, err = run(capsys, "import", by_name, "--table", "deals", "--db", empty_path)
    assert code == 1
    assert ("line 2, column 'owner_id': 'Sam Lee': matches more than one person by name: use "
            "their person_id or email") in err
    assert query(empty_path, "select count(*) from deals") == [(0,)]
    # The way out: the owner by person_id.
    by_id = write_csv(tmp_path / "deals-by-id.csv", DEALS_HEADER, [
        ["D1", "P2", "100", "open", "commit", "2026-10-01", "2026-12-01"]])
    imported(capsys, empty_path, by_id, "deals")
    assert query(empty_path, "select owner_id, region from deals") == [("P2", "NA")]


def test_a_placeholder_two_people_could_be_is_a_problem_with_a_way_out(capsys, empty_path,
                                                                       tmp_path):
    deals = write_csv(tmp_path / "deals.csv", DEALS_HEADER, [
        ["D1", "Sam Lee", "100", "open", "commit", "2026-10-01", "2026-12-01"]])
    imported(capsys, empty_path, deals, "deals")
    [(placeholder,)] = query(empty_path, "select person_id from people")
    before = snapshot(empty_path)
    people = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [
        ["P1", "Sam Lee", "", "sales", "EMEA", ""],
        ["P2", "Sam Lee", "", "sales", "NA", ""],
    ])
    code, _, err = run(capsys, "import", people, "--table", "people", "--db", empty_path)
    assert code == 1
    assert (f"line 2, column 'name': 'Sam Lee': one of 2 people in this file with the name of "
            f"{placeholder}, a person an earlier import created for an unknown owner, and "
            f"nothing tells which of them it is: give the row of the one who owns its records "
            f"the person_id {placeholder}") in err
    assert "line 3, column 'name'" in err
    assert snapshot(empty_path) == before
    # The way out: the row that is the owner carries the placeholder's person_id.
    fixed = write_csv(tmp_path / "people-fixed.csv", PEOPLE_HEADER, [
        [placeholder, "Sam Lee", "", "sales", "EMEA", ""],
        ["P2", "Sam Lee", "", "sales", "NA", ""],
    ])
    imported(capsys, empty_path, fixed, "people")
    assert query(empty_path, "select person_id, region, person_id in (select person_id "
                             "from people_placeholders) from people order by region") == [
        (placeholder, "EMEA", False), ("P2", "NA", False)]
    assert query(empty_path, "select owner_id from deals") == [(placeholder,)]


def test_the_history_keeps_what_an_import_changed(capsys, tmp_path, new_store):
    path = new_store(tmp_path / "store.duckdb")
    imported(capsys, path, deals_file(tmp_path), "deals")
    imported(capsys, path, people_file(tmp_path), "people")
    later = write_csv(tmp_path / "deals-later.csv", DEALS_HEADER, [
        ["D1", "Ana Ruiz", "150.00", "open", "commit", "2026-10-01", "2026-12-01"],
        ["D2", "Ana Ruiz", "200.00", "won", "closed", "2026-10-02", "2026-11-01"],
        ["D3", "Cy Diaz", "300.00", "open", "best_case", "2026-10-03", "2026-12-15"],
        ["D4", "Cy Diaz", "50.00", "open", "pipeline", "2026-10-04", "2026-12-20"],
    ])
    assert "1 new, 2 updated, 1 unchanged" in imported(capsys, path, later, "deals")
    connection = store.open_store(path)
    try:
        cursor = connection.cursor()
        ids = [row[0] for row in cursor.execute(
            "select import_id from import_runs order by import_id").fetchall()]
        merged = importing.changed_rows(cursor, ids[1])
        rows = importing.changed_rows(cursor, ids[2])
    finally:
        connection.close()
    # The people import: three new people and the two placeholders merged into them.
    assert merged[["table_name", "change"]].value_counts().to_dict() == {
        ("people", "new"): 3, ("people", "merged"): 2}
    assert sorted(merged.loc[merged["change"] == "merged", "after"]) == ["P1", "P2"]
    # The later deals: D1's amount; D3's owner Benjamin (NA, Ent) → Cy (NA, SMB), so its
    # segment but not its region, and its category; D4 new. D2 unchanged: not listed.
    rows = rows.astype(object).where(rows.notna(), None)
    assert [tuple(row) for row in rows.itertuples(index=False)] == [
        ("deals", "D1", "updated", "amount", "100.00", "150.00"),
        ("deals", "D3", "updated", "owner_id", "P2", "P3"),
        ("deals", "D3", "updated", "segment", "Ent", "SMB"),
        ("deals", "D3", "updated", "forecast_category", "pipeline", "best_case"),
        ("deals", "D4", "new", None, None, None),
    ]


def test_the_data_page_shows_and_offers_what_an_import_changed(capsys, tmp_path, app_env,
                                                                 new_store):
    from test_app import app

    from conftest import DEMO_AS_OF

    path = new_store(tmp_path / "store.duckdb")
    imported(capsys, path, deals_file(tmp_path), "deals")
    imported(capsys, path, people_file(tmp_path), "people")
    app_env(path, DEMO_AS_OF)
    at = app(page="app_pages/data.py")
    assert not at.exception
    chosen = at.selectbox(key="data_history_import")
    assert chosen.value == 2  # the newest accepted import: the people file
    counts = next(frame.value for frame in at.dataframe if "change" in frame.value.columns
                  and "rows" in frame.value.columns)
    assert counts.values.tolist() == [["people", "merged", 2], ["people", "new", 3]]
    chosen.set_value(1).run()
    counts = next(frame.value for frame in at.dataframe if "change" in frame.value.columns
                  and "rows" in frame.value.columns)
    assert counts.values.tolist() == [["deals", "new", 3], ["people", "new", 2]]


def test_leads_without_ids_get_ids_from_their_content_and_import_again_unchanged(
        capsys, empty_path, tmp_path):
    header = ["Email", "created_at", "source", "stage"]
    leads = write_csv(tmp_path / "mqls.csv", header, [
        ["ann@example.com", "2026-10-01 09:00:00", "webinar", "mql"],
        ["bob@example.com", "2026-10-01 09:00:00", "webinar", "inquiry"],
        ["Ann@Example.com ", "2026-10-02 10:00:00", "paid", "mql"],
    ])
    out = imported(capsys, empty_path, leads, "leads")
    assert "3 rows: 3 new" in out
    assert ("No lead_id column: each lead's ID is made from its email, created_at, source, "
            "so importing the same file again finds the same leads.") in out
    ids = query(empty_path, "select lead_id from leads order by created_at, stage")
    assert len({lead_id for (lead_id,) in ids}) == 3
    assert all(lead_id.startswith("lead-") and len(lead_id) == 21 for (lead_id,) in ids)
    assert "0 new, 0 updated, 3 unchanged" in imported(capsys, empty_path, leads, "leads")
    # A later export: Bob became an MQL; his lead is updated, not added.
    later = write_csv(tmp_path / "mqls-later.csv", header, [
        ["bob@example.com", "2026-10-01 09:00:00", "webinar", "mql"]])
    assert "0 new, 1 updated, 0 unchanged" in imported(capsys, empty_path, later, "leads")
    assert query(empty_path, "select count(*), count(*) filter (where stage = 'mql') "
                             "from leads") == [(3, 3)]
    # Two rows nothing tells apart are refused, naming the first.
    twice = write_csv(tmp_path / "twice.csv", header, [
        ["cy@example.com", "2026-10-03 09:00:00", "paid", "mql"],
        ["cy@example.com", "2026-10-03 09:00:00", "paid", "sql"]])
    code, _, err = run(capsys, "import", twice, "--table", "leads", "--db", empty_path)
    assert code == 1
    assert ("line 3, column 'lead_id (made from the row)': 'lead-749f87f3d61bc5d3': no lead "
            "ID, and the same email, created_at, source as line 2") in err


CAMPAIGNS_HEADER = ["campaign_id", "name", "channel", "status", "start_date", "end_date",
                    "actual_cost"]


def spend_store(capsys, path, tmp_path):
    """Campaigns of two channels in the empty store at `path`."""
    campaigns = write_csv(tmp_path / "campaigns.csv", CAMPAIGNS_HEADER, [
        ["A", "Brand search", "Paid Search", "completed", "2026-02-15", "2026-03-10", ""],
        ["B", "Competitor search", "Paid Search", "completed", "2026-03-01", "2026-03-31", ""],
        ["C", "Spring push", "paid search", "live", "2026-03-20", "2026-04-30", ""],
        ["D", "Cancelled search", "Paid Search", "cancelled", "2026-03-01", "2026-03-31", ""],
        ["E", "Webinar", "Events", "completed", "2026-03-05", "2026-03-05", "500.00"],
    ])
    imported(capsys, path, campaigns, "campaigns")


def costs(path):
    return dict(query(path, "select campaign_id, actual_cost::varchar from campaigns"))


def test_spend_per_channel_and_month_is_spread_by_campaign_days(capsys, tmp_path, new_store):
    path = new_store(tmp_path / "store.duckdb")
    spend_store(capsys, path, tmp_path)
    spend = write_csv(tmp_path / "spend.csv", ["Channel", "Month", "Spend"], [
        ["Paid Search", "2026-03", "12000.00"],
        ["Paid Search", "2026-04", "3000.00"],
    ])
    out = imported(capsys, path, spend, "campaign_spend")
    # March (31 days): A runs 1-10 (10 days), B 1-31 (31), C 20-31 (12); D is cancelled.
    # 12,000 x 10/53 = 2,264.15; x 31/53 = 7,018.87; x 12/53 = 2,716.98 (sum 12,000.00).
    # April: only C runs (30 days): 3,000.00. C: 2,716.98 + 3,000.00 = 5,716.98.
    assert ("12,000.00 USD of Paid Search in 2026-03 spread over 3 campaigns by their days "
            "(10, 31, 12 of 53).") in out
    assert ("3,000.00 USD of Paid Search in 2026-04 spread over 1 campaign by their days "
            "(30 of 30).") in out
    assert costs(path) == {"A": "2264.15", "B": "7018.87", "C": "5716.98", "D": None,
                           "E": "500.00"}
    # The history keeps the spend rows and each campaign's cost before and after.
    assert query(path, "select table_name, row_key, change, columns from import_row_changes "
                       "where import_id = (select max(import_id) from import_runs) "
                       "order by table_name desc, row_key") == [
        ("campaigns", "A", "updated",
         '[{"column":"actual_cost","before":null,"after":"2264.15"}]'),
        ("campaigns", "B", "updated",
         '[{"column":"actual_cost","before":null,"after":"7018.87"}]'),
        ("campaigns", "C", "updated",
         '[{"column":"actual_cost","before":null,"after":"5716.98"}]'),
        ("campaign_spend", "Paid Search|2026-03", "new", None),
        ("campaign_spend", "Paid Search|2026-04", "new", None)]
    before = query(path, "select * from campaigns order by campaign_id")
    assert "0 new, 0 updated, 2 unchanged" in imported(capsys, path, spend, "campaign_spend")
    assert query(path, "select * from campaigns order by campaign_id") == before

    nowhere = write_csv(tmp_path / "spend-may.csv", ["Channel", "Month", "Spend"], [
        ["Paid Search", "2026-05", "100.00"]])
    code, _, err = run(capsys, "import", nowhere, "--table", "campaign_spend", "--db", path)
    assert code == 1
    assert ("line 2, column 'Channel': 'Paid Search': no campaign of this channel runs in "
            "2026-05: the spend has nowhere to go") in err


def test_spend_in_another_currency_is_refused_without_a_rate_and_converted_with_one(
        capsys, tmp_path, new_store):
    path = new_store(tmp_path / "store.duckdb")
    spend_store(capsys, path, tmp_path)
    spend = write_csv(tmp_path / "spend-eur.csv", ["Channel", "Month", "Spend", "Currency"], [
        ["Events", "2026-03", "1000.00", "EUR"]])
    before = fingerprint(path)
    code, _, err = run(capsys, "import", spend, "--table", "campaign_spend", "--db", path)
    assert code == 1
    assert ("line 2, column 'Currency': 'EUR': costs in EUR, but the store counts in USD and "
            "has no rate for it: set the fx_rates setting") in err
    assert fingerprint(path) == before
    assert run(capsys, "setting", "fx_rates", "eur=1.1", "--db", path)[0] == 0
    out = imported(capsys, path, spend, "campaign_spend")
    assert "Costs in EUR converted at 1.1 USD per EUR (the fx_rates setting)." in out
    # 1,000.00 EUR x 1.1 = 1,100.00 USD, all to the one Events campaign of March.
    assert query(path, "select spend::varchar, currency from campaign_spend") == [
        ("1100.00", "EUR")]
    assert costs(path)["E"] == "1100.00"


def test_an_owner_email_column_keys_the_placeholder_and_the_merge(capsys, empty_path,
                                                                  tmp_path):
    deals = write_csv(tmp_path / "report.csv", [
        "Opportunity ID", "Opportunity Owner", "Owner Email", "Amount", "Stage",
        "Created Date", "Close Date"], [
        # Days past 12: the dates read one way only (M/D/Y), as an export's would.
        ["006A", "Dana Wu", "dana@example.com", "100", "Prospecting", "10/15/2026",
         "12/15/2026"],
        ["006B", "Dana Wu", "dana.wu@example.com", "200", "Prospecting", "10/16/2026",
         "12/16/2026"],
    ])
    code, out, err = run(capsys, "import", deals, "--table", "deals", "--preset", "salesforce",
                         "--db", empty_path)
    assert code == 0, err
    # Two emails: two people, though one name.
    assert query(empty_path, "select name, email from people order by email") == [
        ("Dana Wu", "dana.wu@example.com"), ("Dana Wu", "dana@example.com")]
    people = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [
        ["P1", "Dana Wu", "dana@example.com", "sales", "NA", ""],
        ["P2", "Dana Wu", "dana.wu@example.com", "sales", "EMEA", ""],
    ])
    assert "2 placeholder people merged" in imported(capsys, empty_path, people, "people")
    assert query(empty_path, "select deal_id, owner_id, region from deals order by 1") == [
        ("006A", "P1", "NA"), ("006B", "P2", "EMEA")]
    code, out, err = run(capsys, "import", deals, "--table", "deals", "--preset", "salesforce",
                         "--db", empty_path)
    assert code == 0, err
    assert "0 new, 0 updated, 2 unchanged" in out


def test_the_data_page_imports_spend_and_says_how_it_was_spread(capsys, tmp_path, app_env,
                                                                new_store):
    from test_app import app, shown_text

    from conftest import DEMO_AS_OF

    path = new_store(tmp_path / "store.duckdb")
    spend_store(capsys, path, tmp_path)
    app_env(path, DEMO_AS_OF)
    at = app(page="app_pages/data.py")
    at.selectbox(key="data_table").set_value("campaign_spend").run()
    at.file_uploader(key="data_file").upload(
        "spend.csv", b"Channel,Month,Spend\nPaid Search,2026-04,3000.00\n", "text/csv").run()
    assert not at.exception
    assert ("3,000.00 USD of Paid Search in 2026-04 spread over 1 campaign by their days "
            "(30 of 30).") in shown_text(at.caption)
    at.button(key="data_confirm").click().run()
    assert not at.exception
    assert "1 new, 0 updated, 0 unchanged" in shown_text(at.success)
    connection = store.open_store(path)  # the app holds it open read-write in this process
    try:
        assert connection.execute("select actual_cost::varchar from campaigns where "
                                  "campaign_id = 'C'").fetchall() == [("3000.00",)]
    finally:
        connection.close()


def test_a_store_broken_by_duplicates_before_the_upgrade_is_mended_by_the_people_file(
        capsys, tmp_path, new_store):
    path = new_store(tmp_path / "store.duckdb")
    deals, people = deals_file(tmp_path), people_file(tmp_path)
    imported(capsys, path, deals, "deals")
    # As the importer left it before placeholders: the people file added same-name people.
    connection = store.open_store(path)
    connection.execute("insert into people (person_id, name, email, team) values "
                       "('P1', 'Ana Ruiz', null, 'sales')")
    connection.execute("drop table people_placeholders; drop table import_row_changes; "
                       "drop table campaign_spend; delete from schema_version where version >= 8")
    connection.close()
    store.open_store(path).close()  # upgrades: the importer's crm-… people are placeholders
    code, _, err = run(capsys, "import", deals, "--table", "deals", "--db", path)
    assert code == 1 and "matches more than one person by name" in err  # the state
    assert "2 placeholder people merged" in imported(capsys, path, people, "people")
    assert "0 new, 0 updated, 3 unchanged" in imported(capsys, path, deals, "deals")
    assert query(path, "select person_id from people order by 1") == [("P1",), ("P2",), ("P3",)]


def test_a_campaign_whose_owner_is_merged_gets_a_new_version(capsys, empty_path, tmp_path):
    campaigns = write_csv(tmp_path / "campaigns.csv", [
        "campaign_id", "name", "channel", "owner_id", "status", "start_date", "end_date"], [
        ["C1", "Spring webinar", "Webinar", "Ana Ruiz", "planned", "2026-03-01", "2026-03-02"]])
    imported(capsys, empty_path, campaigns, "campaigns")
    placeholder, version = query(empty_path, "select owner_id, version from campaigns")[0]
    assert version == 1 and placeholder.startswith("crm-")
    people = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [
        ["P1", "Ana Ruiz", "ana@example.com", "marketing", "NA", ""]])
    assert "1 placeholder people merged" in imported(capsys, empty_path, people, "people")
    # A campaign form opened before the merge (version 1) can no longer write the placeholder
    # back: the owner's move is a new version, by whoever imported.
    owner, version, updated_by = query(
        empty_path, "select owner_id, version, updated_by from campaigns")[0]
    assert (owner, version) == ("P1", 2) and updated_by
