"""The summary tables never change a figure: every page's view on the summaries equals the
same view computed from the source tables (the summaries replaced by their live views),
after an import that adds and changes deals and after an edit."""

import csv
import datetime as dt
import shutil
from dataclasses import asdict

import pandas as pd
import pytest

from conftest import PROJECT_ROOT, by, copy_store, finished_template
from relay import campaigns, cli, forecasting, holdings, store, summaries
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.ui import cache
from relay.views import week

HUBSPOT = PROJECT_ROOT / "data" / "samples" / "hubspot-deals.csv"
AS_OF = dt.date(2026, 11, 22)
VIEWS = ["overview", "goals", "plan", "funnel", "sla", "campaigns", "forecast",
         "forecast_movement", "forecast_track_record", "strengths"]


def _changed_export(tmp_path):
    """The HubSpot sample again, as a later export: amounts, stages and close dates moved."""
    with HUBSPOT.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows[:6]:
        row["Amount"] = str(round(float(row["Amount"]) * 1.5, 2))
    rows[6]["Deal Stage"], rows[7]["Deal Stage"] = "Closed Won", "Closed Lost"
    rows[8]["Close Date"] = "2027-01-20"  # slips out of 2026-Q4
    path = tmp_path / "hubspot-later.csv"
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _views(path) -> dict:
    connection = store.open_store(path)
    try:
        cursor = connection.cursor()
        return {
            (name, str(quarter), region): cache.VIEWS[name](cursor, Filters(quarter, region), AS_OF)
            for name in VIEWS
            for quarter in (Quarter(2026, 3), Quarter(2026, 4))
            for region in (None, "NA")
        }
    finally:
        connection.close()


def _same(left, right, where: str) -> None:
    assert left.figures == right.figures, where
    assert left.notes == right.notes, where
    assert list(left.tables) == list(right.tables), where
    for name in left.tables:
        pd.testing.assert_frame_equal(left.tables[name], right.tables[name],
                                      obj=f"{where} {name}")


def _rows(connection, relation: str) -> list:
    return connection.execute(f"select * from {relation} order by all").fetchall()


@pytest.fixture(scope="module")
def changed_template(tmp_path_factory, fixture_template):
    """The fixture company after two imports of a CRM export (new deals, then changes to
    them) and a forecast submitted from the page's function; built once for the module."""
    folder = tmp_path_factory.mktemp("changed")
    path = copy_store(fixture_template, folder / "fixture.duckdb")
    for export in (HUBSPOT, _changed_export(folder)):
        assert cli.main(["import", str(export), "--table", "deals", "--preset", "hubspot",
                         "--db", str(path)]) == 0
    connection = store.open_store(path)
    try:
        forecasting.submit(connection, Quarter(2026, 4), "P2", 90_000, 120_000, 1)
    except BaseException:
        connection.close()
        raise
    return finished_template(connection, path)


@pytest.fixture
def changed_store(changed_template, tmp_path):
    return copy_store(changed_template, tmp_path / "fixture.duckdb")


def test_the_summary_holds_exactly_what_its_definition_gives(changed_store):
    connection = store.open_store(changed_store)
    try:
        stored = _rows(connection, "deal_states")
        assert stored == _rows(connection, "deal_states_live")
        assert _rows(connection, "pipeline_deltas") == _rows(connection, "pipeline_deltas_live")
        # The imports changed deals, so the states include the history they wrote.
        assert len(stored) > connection.execute("select count(*) from deals").fetchall()[0][0]
    finally:
        connection.close()


def test_every_page_gives_the_same_figures_with_and_without_the_summaries(changed_store,
                                                                         tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("RELAY_TODAY", AS_OF.isoformat())
    live = tmp_path / "live.duckdb"
    shutil.copy(changed_store, live)
    connection = store.open_store(live)
    summaries.read_live(connection)
    connection.close()
    with_summaries, without = _views(changed_store), _views(live)
    for key, view in with_summaries.items():
        _same(view, without[key], str(key))
    # The comparison has figures to compare: the imported deals are in 2026-Q4.
    assert with_summaries[("forecast", "2026-Q4", None)].value("open_pipeline") > 0


def test_a_store_from_before_the_summaries_gets_them_on_upgrade(demo_path, tmp_path):
    older = tmp_path / "older.duckdb"
    shutil.copy(demo_path, older)
    connection = store.open_store(older)
    # Back to version 6: without the summaries (7) and what came after them (8, 9).
    connection.execute("drop table deal_states; drop view deal_states_live;"
                       "drop table people_placeholders; drop table import_row_changes;"
                       "drop table campaign_spend;"
                       "delete from schema_version where version >= 7")
    connection.close()
    connection = store.open_store(older)  # migrates
    try:
        assert _rows(connection, "deal_states") == _rows(connection, "deal_states_live")
        assert _rows(connection, "pipeline_deltas") == _rows(connection, "pipeline_deltas_live")
    finally:
        connection.close()


def _deals_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["deal_id", "owner_id", "amount", "status", "forecast_category",
                         "created_at", "close_date"])
        writer.writerows(rows)
    return path


def test_an_import_of_few_deals_refreshes_only_their_states(fixture_path, tmp_path,
                                                            monkeypatch):
    """D4 (30,000, commit, due 15 Sep) goes up to 36,000 and D9 is new: only their rows of
    deal_states are derived again, and the table then equals a full rebuild."""
    monkeypatch.setenv("RELAY_TODAY", "2026-09-01")
    connection = store.open_store(fixture_path)
    untouched = connection.execute(
        "select * from deal_states where deal_id not in ('D4', 'D9') order by all").fetchall()
    connection.close()
    ran = []
    execute = summaries.sql.execute

    def recorded(cursor, name, /, **params):
        ran.append((name, params.get("deal_ids", params.get("months"))))
        return execute(cursor, name, **params)

    monkeypatch.setattr(summaries.sql, "execute", recorded)
    export = _deals_csv(tmp_path / "deals.csv", [
        ["D4", "P2", "36000", "open", "commit", "2026-07-01", "2026-09-15"],
        ["D9", "P3", "12000", "open", "pipeline", "2026-08-20", "2026-09-25"],
    ])
    assert cli.main(["import", str(export), "--table", "deals", "--db",
                     str(fixture_path)]) == 0
    assert ("refresh_deal_states_drop_deals", ["D4", "D9"]) in ran
    # Both are due in September 2026, before and after: that month's deltas alone.
    assert ("refresh_pipeline_deltas_drop_months", [dt.date(2026, 9, 1)]) in ran
    assert ("refresh_campaign_deals_drop_deals", ["D4", "D9"]) in ran
    assert ("refresh_unrecorded_deals_add_deals", ["D4", "D9"]) in ran
    assert ("refresh_sourced_deals_add_deals", ["D4", "D9"]) in ran
    full = {"refresh_deal_states", "refresh_pipeline_deltas", "refresh_campaign_deals",
            "refresh_unrecorded_deals", "refresh_sourced_deals", "refresh_deal_credits",
            "refresh_funnel_months"}
    assert not [name for name, _ in ran if name in full]  # no full rebuild
    connection = store.open_store(fixture_path)
    try:
        (imported_at,) = connection.execute(
            "select changed_at from deal_history where deal_id = 'D4' and amount = 36000"
        ).fetchall()[0]
        # The states that last a while (the timeline also keeps a zero-length one at the
        # import's moment, as a full rebuild does: compared below).
        states = connection.execute(
            "select deal_id, valid_from, isinf(valid_until), amount::double, status, "
            "forecast_category, close_date, region from deal_states "
            "where deal_id in ('D4', 'D9') and valid_until > valid_from order by all"
        ).fetchall()
        assert states == [
            ("D4", dt.datetime(2026, 7, 1), False, 30_000.0, "open", "commit",
             dt.date(2026, 9, 15), "NA"),
            ("D4", imported_at, True, 36_000.0, "open", "commit", dt.date(2026, 9, 15), "NA"),
            ("D9", dt.datetime(2026, 8, 20), True, 12_000.0, "open", "pipeline",
             dt.date(2026, 9, 25), "EMEA"),  # the region of its owner, Bob Rep
        ]
        assert connection.execute(
            "select valid_until from deal_states where deal_id = 'D4' "
            "and valid_from = '2026-07-01'").fetchall() == [(imported_at,)]
        # Every other deal's states as they were; the whole as its definition gives it.
        assert connection.execute(
            "select * from deal_states where deal_id not in ('D4', 'D9') order by all"
        ).fetchall() == untouched
        assert _rows(connection, "deal_states") == _rows(connection, "deal_states_live")
        # September's open commit in NA: D4 from 2 July (30,000); on 2 September, the day
        # after the import, its old state leaves and the new one enters (+6,000). In EMEA's
        # pipeline, D5 (40,000) from 2 August and the new D9 (12,000) from 21 August.
        deltas = connection.execute(
            "select region, forecast_category, day, deals, amount::double "
            "from pipeline_deltas where close_month = '2026-09-01' and status = 'open' "
            "and forecast_category in ('commit', 'pipeline') order by all").fetchall()
        assert deltas == [
            ("EMEA", "pipeline", dt.date(2026, 8, 2), 1, 40_000.0),
            ("EMEA", "pipeline", dt.date(2026, 8, 21), 1, 12_000.0),
            ("NA", "commit", dt.date(2026, 7, 2), 1, 30_000.0),
            ("NA", "commit", dt.date(2026, 9, 2), 0, 6_000.0),
        ]
        assert _rows(connection, "pipeline_deltas") == _rows(connection,
                                                             "pipeline_deltas_live")
        assert _rows(connection, "campaign_deals") == _rows(connection, "campaign_deals_live")
        assert _rows(connection, "unrecorded_deals") == _rows(connection,
                                                              "unrecorded_deals_live")
    finally:
        connection.close()


def test_an_import_moving_deals_between_leads_changes_only_their_funnel_counts(
        fixture_path, tmp_path, monkeypatch):
    """D1 (won, L1's) moves to L5 (an inquiry) and D3 (lost, no lead) to L2 (an SAL): what
    L1, L2 and L5 count in the funnel's month rollup is taken out and added back, the rest
    kept; the rollup then equals a rebuild. By hand: L1 (Webinar, NA, SMB) no longer has an
    opportunity (July) or a win (August); L5 (Direct, NA, SMB) has both, D1's; L2 (Webinar,
    NA, SMB) has an opportunity from July (D3, created 20 July) and no win."""
    ran = _ran_refreshes(monkeypatch)
    export = tmp_path / "deals.csv"
    export.write_text(
        "deal_id,lead_id,owner_id,amount,status,forecast_category,created_at,close_date\n"
        "D1,L5,P2,10000,won,closed,2026-07-12 09:00,2026-08-01\n"
        "D3,L2,P2,20000,lost,omitted,2026-07-20 09:00,2026-08-10\n", encoding="utf-8")
    assert cli.main(["import", str(export), "--table", "deals", "--db",
                     str(fixture_path)]) == 0
    assert not [name for name, _ in ran if name in {"refresh_funnel_months",
                                                    "refresh_deal_credits",
                                                    "refresh_rep_strength_months"}]
    connection = store.open_store(fixture_path)
    try:
        opportunities_and_wins = connection.execute(
            "select stage, reached_month, next_month, source, region, events "
            "from funnel_months where stage in ('opportunities', 'won') order by all"
        ).fetchall()
        assert opportunities_and_wins == [
            ("opportunities", dt.date(2026, 5, 1), dt.date(2026, 8, 1), "Organic Search",
             "EMEA", 1),  # L3's, as it was
            ("opportunities", dt.date(2026, 7, 1), dt.date(2026, 8, 1), "Direct", "NA", 1),
            ("opportunities", dt.date(2026, 7, 1), None, "Webinar", "NA", 1),
            ("won", dt.date(2026, 8, 1), None, "Direct", "NA", 1),
            ("won", dt.date(2026, 8, 1), None, "Organic Search", "EMEA", 1),
        ]
        for summary in ("funnel_months", "deal_credits", "funnel_lookup_leads",
                        "rep_strength_months"):
            assert _rows(connection, summary) == _rows(connection, f"{summary}_live"), summary
    finally:
        connection.close()


def test_the_snapshots_summed_from_the_deltas_are_those_of_the_deal_states(changed_store):
    """Every day from before 2026-Q3 to past the end of 2026-Q4, each quarter as it stood:
    read from pipeline_deltas, the same as from deal_states summed over owners (the
    imports moved amounts, stages and close dates across the quarters)."""
    points = [forecasting.Point(quarter, offset)
              for quarter in (Quarter(2026, 3), Quarter(2026, 4))
              for offset in range(-10, 100)]
    params = {"snapshot": [p.key for p in points], "at": [p.at for p in points],
              "starts_on": [p.quarter.start for p in points],
              "ends_before": [p.quarter.end for p in points]}
    keys = ["snapshot", "status", "region", "segment", "forecast_category"]
    connection = store.open_store(changed_store)
    try:
        cursor = connection.cursor()
        by_owner = summaries.sql.frame(cursor, "pipeline_snapshots", **params)
        summed = summaries.sql.frame(cursor, "pipeline_snapshots_by_breakdown", **params)
    finally:
        connection.close()
    expected = (by_owner.groupby(keys, dropna=False)[["deals", "amount", "won_in_quarter"]]
                .sum().reset_index().sort_values(keys, ignore_index=True))
    summed = summed.drop(columns="owner_id").sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(summed[expected.columns], expected, check_dtype=False)
    assert summed["status"].tolist().count("won") > 0 and len(summed) > 100


def _ran_refreshes(monkeypatch) -> list[tuple[str, object]]:
    """The summaries' refresh statements run from now on, with the deals they name."""
    ran = []
    execute = summaries.sql.execute

    def recorded(cursor, name, /, **params):
        if name.startswith("refresh_"):
            ran.append((name, params.get("deal_ids")))
        return execute(cursor, name, **params)

    monkeypatch.setattr(summaries.sql, "execute", recorded)
    return ran


def _credits_equal_their_definition(path) -> None:
    connection = store.open_store(path)
    try:
        assert _rows(connection, "deal_credits") == _rows(connection, "deal_credits_live")
    finally:
        connection.close()


def test_a_touches_import_refreshes_only_the_credits_of_its_leads_deals(fixture_path,
                                                                        monkeypatch):
    # The file's touches are of L1, L2 and L4; of their leads only L1 has a deal, D1.
    ran = _ran_refreshes(monkeypatch)
    members = PROJECT_ROOT / "tests" / "data" / "touches" / "salesforce-campaign-members.csv"
    assert cli.main(["import", str(members), "--table", "touches", "--preset",
                     "salesforce_touches", "--db", str(fixture_path)]) == 0
    # What the store holds is counted again; of the credits, D1's alone.
    assert ran == [("refresh_store_holdings", None),
                   ("refresh_deal_credits_drop_deals", ["D1"]),
                   ("refresh_deal_credits_add_deals", ["D1"])]
    _credits_equal_their_definition(fixture_path)


def test_a_leads_import_refreshes_only_the_credits_of_its_leads_deals(fixture_path, tmp_path,
                                                                      monkeypatch):
    members = PROJECT_ROOT / "tests" / "data" / "touches" / "salesforce-campaign-members.csv"
    assert cli.main(["import", str(members), "--table", "touches", "--preset",
                     "salesforce_touches", "--db", str(fixture_path)]) == 0
    ran = _ran_refreshes(monkeypatch)
    # L3 (D2's lead) becomes an MQL a day later: the W-shaped MQL touch may move.
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,source,region,segment,created_at,stage,mql_at\n"
                     "L3,Web,NA,SMB,2026-07-01 09:00,opportunity,2026-07-07 10:00\n",
                     encoding="utf-8")
    assert cli.main(["import", str(leads), "--table", "leads", "--db", str(fixture_path)]) == 0
    # What the store holds, the leads' owners and the first days are built again in full
    # (summaries.py); the lead summaries (the leads listed twice first) refresh L3's rows,
    # the funnel's month rollup, the campaign leads by month and the rep strengths' months
    # take what L3 counts out and in again (not a refresh: not listed); of the credits and
    # the campaign deals, D2's alone.
    assert ran == [("refresh_summary_drop_leads", None),
                   ("refresh_funnel_listed_twice_add_leads", None),
                   ("refresh_store_holdings", None), ("refresh_lead_owners", None),
                   ("refresh_summary_drop_leads", None), ("refresh_summary_add_leads", None),
                   ("refresh_summary_drop_leads", None), ("refresh_summary_add_leads", None),
                   ("refresh_store_span", None), ("refresh_mql_owners", None),
                   ("refresh_deal_credits_drop_deals", ["D2"]),
                   ("refresh_deal_credits_add_deals", ["D2"]),
                   ("refresh_campaign_deals_drop_deals", ["D2"]),
                   ("refresh_campaign_deals_add_deals", ["D2"]),
                   ("refresh_sourced_deals_drop_deals", ["D2"]),
                   ("refresh_sourced_deals_add_deals", ["D2"])]
    _credits_equal_their_definition(fixture_path)
    connection = store.open_store(fixture_path)
    try:
        for summary in ("campaign_deals", "campaign_lead_months", "funnel_listed_twice",
                        "funnel_months", "rep_strength_months"):
            assert _rows(connection, summary) == _rows(connection, f"{summary}_live")
    finally:
        connection.close()


WINTER_WEBINAR = {
    "name": "Winter webinar", "channel": "Webinar", "status": "planned", "region": None,
    "segment": None, "start_date": dt.date(2026, 12, 1), "end_date": dt.date(2026, 12, 2),
    "budget": "1000", "expected_leads": "10", "actual_cost": "", "owner_id": "P1",
    "description": ""}


def test_a_write_that_does_not_refresh_the_summaries_has_them_refreshed(fixture_path):
    """A write that refreshes no summary itself (a campaign stored by a statement alone):
    store.write follows what it wrote, so what the store holds counts the new campaign (6,
    was 5) and the rep strengths' months are rebuilt."""
    campaign = campaigns.validate(WINTER_WEBINAR, set(campaigns.CHANNELS))
    connection = store.open_store(fixture_path)
    try:
        before = holdings.of(connection.cursor()).campaigns
        store.write(connection, lambda cursor: summaries.sql.execute(
            cursor, "insert_campaign", campaign_id="C-WINTER", actor="test",
            at=dt.datetime(2026, 11, 30), **asdict(campaign)))
        assert holdings.of(connection.cursor()).campaigns == before + 1
        for summary in ("store_holdings", "rep_strength_months"):
            assert _rows(connection, summary) == _rows(connection, f"{summary}_live")
    finally:
        connection.close()


def test_a_campaign_saved_recounts_only_its_leads(fixture_path, monkeypatch):
    """A new campaign is no lead's: the rep strengths' months are not rebuilt. C1 (Webinar)
    made an event: what its leads L1 and L2 (Pat's MQLs of June and July) count moves to
    Events, the rows of C1's leads alone recounted; what the store holds counts the new
    campaign in the same transaction."""
    ran = _ran_refreshes(monkeypatch)
    connection = store.open_store(fixture_path)
    try:
        by("Pat Planner", campaigns.create, connection, WINTER_WEBINAR)
        c1 = summaries.sql.row(connection.cursor(), "campaign_by_id", campaign_id="C1")
        fields = {key: c1[key] for key in WINTER_WEBINAR if key in c1}
        by("Pat Planner", campaigns.update, connection, "C1", c1["version"],
           {**fields, "channel": "Events", "budget": str(c1["budget"] or ""),
            "actual_cost": str(c1["actual_cost"] or ""),
            "expected_leads": str(c1["expected_leads"] or "")})
        assert ("refresh_rep_strength_months", None) not in ran
        assert ran.count(("refresh_store_holdings", None)) == 2
        assert connection.execute(
            "select channel, source, mql_month, sql_month, won_on, mqls "
            "from rep_strength_months where owner_id = 'P2' order by all").fetchall() == [
            ("Events", "Webinar", dt.date(2026, 6, 1), None, None, 1),
            ("Events", "Webinar", dt.date(2026, 7, 1), dt.date(2026, 7, 1),
             dt.date(2026, 8, 1), 1)]
        for summary in ("store_holdings", "rep_strength_months"):
            assert _rows(connection, summary) == _rows(connection, f"{summary}_live")
    finally:
        connection.close()


def test_imports_of_campaigns_and_spend_recount_only_the_leads_of_a_new_channel(
        fixture_path, tmp_path, monkeypatch):
    """An import making C1 (Webinar) an event and adding C9: what C1's leads count in the
    rep strengths' months moves to Events, its leads alone recounted; then spend spread
    over the webinars changes no channel: nothing recounted, nothing rebuilt."""
    ran = _ran_refreshes(monkeypatch)
    campaigns_csv = tmp_path / "campaigns.csv"
    campaigns_csv.write_text(
        "campaign_id,name,channel,status,start_date,end_date\n"
        "C1,NA SMB webinar,Events,completed,2026-06-15,2026-07-15\n"
        "C9,Winter webinar,Webinar,planned,2026-12-01,2026-12-02\n", encoding="utf-8")
    assert cli.main(["import", str(campaigns_csv), "--table", "campaigns", "--db",
                     str(fixture_path)]) == 0
    spend = tmp_path / "spend.csv"
    spend.write_text("Channel,Month,Spend\nWebinar,2026-12,500.00\n", encoding="utf-8")
    assert cli.main(["import", str(spend), "--table", "campaign_spend", "--db",
                     str(fixture_path)]) == 0
    assert ("refresh_rep_strength_months", None) not in ran
    connection = store.open_store(fixture_path)
    try:
        assert connection.execute(
            "select channel, mql_month, mqls from rep_strength_months where owner_id = 'P2' "
            "order by all").fetchall() == [("Events", dt.date(2026, 6, 1), 1),
                                           ("Events", dt.date(2026, 7, 1), 1)]
        assert connection.execute(
            "select actual_cost::double from campaigns where campaign_id = 'C9'"
        ).fetchall() == [(500.0,)]
        for summary in ("store_holdings", "rep_strength_months"):
            assert _rows(connection, summary) == _rows(connection, f"{summary}_live")
    finally:
        connection.close()


def test_my_weeks_reps_follow_a_leads_import_with_and_without_the_lead_owners(fixture_path,
                                                                             tmp_path):
    # Nia owns no deal and has made no call: her first lead makes her one of My week's reps.
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,source,region,segment,created_at,stage,owner_id\n"
                     "L9,Web,NA,SMB,2026-07-01 09:00,inquiry,Nia New\n", encoding="utf-8")
    assert cli.main(["import", str(leads), "--table", "leads", "--db", str(fixture_path)]) == 0
    live = tmp_path / "live.duckdb"
    shutil.copy(fixture_path, live)
    connection = store.open_store(live)
    summaries.read_live(connection)
    connection.close()
    reps = {}
    for name, path in (("summary", fixture_path), ("live", live)):
        connection = store.open_store(path)
        try:
            reps[name] = [week.reps(connection.cursor(), region) for region in (None, "NA", "EMEA")]
            if name == "summary":
                assert _rows(connection, "lead_owners") == _rows(connection, "lead_owners_live")
        finally:
            connection.close()
    assert "Nia New" in reps["summary"][0]["name"].tolist()
    for with_summary, without in zip(reps["summary"], reps["live"], strict=True):
        pd.testing.assert_frame_equal(with_summary, without)
