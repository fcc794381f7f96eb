"""My week and rep strengths on the hand-built team of week_fixture.py, whose every figure
is worked out there by hand; lead contacts from the CRM layouts and the demo; where links
point."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import week_fixture as team
from streamlit.testing.v1 import AppTest

from conftest import PROJECT_ROOT, by, copy_store
from relay import cli, contacts, layouts, settings, store, summaries
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import calendar, sla, strengths, week

Q3 = Filters(Quarter.parse("2026-Q3", 1))


@pytest.fixture(scope="session")
def team_template(tmp_path_factory, empty_template):
    path = copy_store(empty_template, tmp_path_factory.mktemp("team") / "team.duckdb")
    connection = store.open_store(path)
    team.fill(connection)
    store.checkpoint_and_close(connection)
    return path


@pytest.fixture
def team_path(tmp_path, team_template):
    return copy_store(team_template, tmp_path / "team.duckdb")


@pytest.fixture
def team_cursor(team_path):
    connection = store.open_store(team_path, read_only=True)
    yield connection
    connection.close()


def test_a_reps_week_lists_their_own_waiting_leads_oldest_first(team_cursor):
    view = week.build(team_cursor, Q3, team.AS_OF, rep="R1")
    past = view.tables["waiting_past_sla"]
    assert past["lead_id"].tolist() == ["A3", "A1"]
    assert past["age_hours"].round().tolist() == [351, 134]
    assert past["name"].tolist() == ["Old Oscar", "Zoe <Zed> & Co"]
    assert past["email_link"].tolist() == ["mailto:oscar@old.example", "mailto:zoe@zed.example"]
    assert past["phone_link"].tolist() == ["tel:+12025550103", "tel:+12025550101"]
    assert past["campaign"].fillna("").tolist() == ["", "Ebook for all"]
    assert view.tables["waiting_within_sla"]["lead_id"].tolist() == ["A2"]
    assert view.tables["waiting_within_sla"]["phone_link"].tolist() == ["tel:2025550102"]
    assert (view.value("my_waiting_past_sla"), view.value("my_waiting_within_sla")) == (2, 1)
    bob = week.build(team_cursor, Q3, team.AS_OF, rep="R2")
    assert bob.tables["waiting_past_sla"]["lead_id"].tolist() == ["B1"]
    assert bob.tables["waiting_within_sla"].empty


def test_the_campaigns_are_the_calendars_for_the_reps_region_and_segment(team_cursor):
    view = week.build(team_cursor, Q3, team.AS_OF, rep="R1")
    campaigns = view.tables["campaigns"]
    first, last = calendar.date_range("next_30", team.AS_OF)
    shown = calendar.build(team_cursor, calendar.CalendarFilters(first, last, "NA", "SMB"),
                           team.AS_OF).tables["campaigns"]
    assert campaigns["campaign_id"].tolist() == shown["campaign_id"].tolist() == ["CB", "CA"]
    # 200 × 3/15 and 100 × 3/10
    assert campaigns["expected_to_rep"].tolist() == pytest.approx([40, 30])
    assert view.value("my_expected_campaign_leads") == pytest.approx(70)


def test_the_forecast_call_is_the_last_by_the_as_of_day_or_says_why_there_is_none(
        team_cursor):
    ann = week.build(team_cursor, Q3, team.AS_OF, rep="R1")
    assert (ann.value("my_commit"), ann.value("my_best_case")) == (30_000, 45_000)
    bob = week.build(team_cursor, Q3, team.AS_OF, rep="R2")
    assert bob.figures["my_commit"].state.value == "not_applicable"
    assert "owns no deals" in bob.figures["my_commit"].reason
    eve = week.build(team_cursor, Q3, team.AS_OF, rep="R3")
    assert eve.figures["my_commit"].state.value == "unknown"
    assert eve.figures["my_commit"].reason == "Eve Rep has not called 2026-Q3 yet"


def test_the_rep_picker_follows_the_region_and_segment(team_cursor):
    assert week.reps(team_cursor)["person_id"].tolist() == ["R1", "R2", "R3", "M1"]
    assert week.reps(team_cursor, "NA", "SMB")["person_id"].tolist() == ["R1", "R2", "M1"]
    assert week.reps(team_cursor, "EMEA", None)["person_id"].tolist() == ["R3"]
    with pytest.raises(week.UnknownRep):
        week.build(team_cursor, Q3, team.AS_OF, rep="K1")


def test_rep_strengths_by_channel_and_source_with_cohort_sizes(team_cursor):
    view = strengths.build(team_cursor, Q3, team.AS_OF)
    by_channel = view.tables["by_channel"]
    rows = {(r.person_id, r.value): (r.mqls, r.sqls, r.won) for r in by_channel.itertuples()}
    assert rows == {("R1", "Webinar"): (3, 2, 1), ("R1", "No campaign"): (1, 0, 0),
                    ("R2", "Webinar"): (1, 1, 0)}
    ann_webinar = by_channel[(by_channel["person_id"] == "R1")
                             & (by_channel["value"] == "Webinar")].iloc[0]
    assert (ann_webinar["mql_to_sql"], ann_webinar["mql_to_won"]) == pytest.approx((2 / 3,
                                                                                    1 / 3))
    assert not by_channel["significant"].any()  # under 20 MQLs each
    sources = {(r.person_id, r.value): r.mqls for r in view.tables["by_source"].itertuples()}
    assert sources == {("R1", "Referral"): 1, ("R1", "Webinar"): 3, ("R2", "Webinar"): 1}
    assert view.value("strength_mqls") == 5
    assert view.value("strength_mql_to_sql") == pytest.approx(3 / 5)
    assert view.value("strength_mql_to_won") == pytest.approx(1 / 5)
    bob = strengths.build(team_cursor, Q3, team.AS_OF, reps=("R2",))
    assert view.notes and bob.value("strength_mqls") == 1
    nobody = strengths.build(team_cursor, Filters(Q3.quarter, "EMEA"), team.AS_OF)
    assert nobody.figures["strength_mql_to_sql"].state.value == "unknown"


def test_week_and_strengths_are_in_the_command_line(team_path, capsys):
    assert cli.main(["report", "week", "--db", str(team_path), "--rep", "R1", "--quarter",
                     "2026-Q3", "--as-of", "2026-08-15"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["figures"]["my_waiting_past_sla"]["value"] == 2
    assert cli.main(["report", "week", "--db", str(team_path), "--rep", "K1"]) == 2
    assert "not a sales person" in capsys.readouterr().err
    assert cli.main(["report", "strengths", "--db", str(team_path), "--quarter", "2026-Q3",
                     "--as-of", "2026-08-15"]) == 0
    assert json.loads(capsys.readouterr().out)["figures"]["strength_mqls"]["value"] == 5


def test_my_week_page_for_a_picked_rep_from_the_address(app_env, team_path):
    app_env(team_path, team.AS_OF)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update({"quarter": "2026-Q3", "rep": "Bob Rep"})
    at.run()
    at.switch_page("app_pages/week.py").run()
    assert not at.exception and not at.error
    headings = [s.value for s in at.subheader]
    assert headings[:3] == ["Waiting past the SLA (1)", "Waiting, still inside the SLA (0)",
                            "Campaigns in the next 30 days (2)"]
    assert at.dataframe[0].value["lead_id"].tolist() == ["B1"]


def test_contacts_become_links_and_nothing_else():
    assert contacts.email_link("a.b@x.example") == "mailto:a.b@x.example"
    assert contacts.email_link("x@y.example?cc=evil@z") == "mailto:x@y.example%3Fcc%3Devil@z"
    assert contacts.email_link("not an address") is None
    assert contacts.phone_link("+44 (20) 7946-0000") == "tel:+442079460000"
    assert contacts.phone_link("call me") is None


def test_the_crm_lead_layouts_feed_the_contact_columns():
    hubspot = layouts.PRESETS["hubspot_leads"].source_for(
        ["Record ID", "Full Name", "Company Name", "Job Title", "Email", "Phone Number",
         "Create Date", "Lifecycle Stage"])
    assert set(hubspot) >= {"name", "company", "title", "email", "phone"}
    salesforce = layouts.PRESETS["salesforce_leads"].source_for(
        ["Lead ID", "Full Name", "Company / Account", "Title", "Email", "Phone",
         "Create Date", "Lead Status"])
    assert set(salesforce) >= {"name", "company", "title", "email", "phone"}
    assert {"name", "company", "title", "email", "phone"} <= set(
        layouts.TABLES["leads"].stored_columns)


def test_the_demo_gives_every_lead_a_contact(demo_path):
    connection = store.open_store(demo_path, read_only=True)
    try:
        missing = connection.execute(
            "select count(*) filter (where name is null or company is null or title is null "
            "or email not like '%@%.example' or phone not like '+1 % 555 01__') from leads"
        ).fetchone()[0]
    finally:
        connection.close()
    assert missing == 0


def test_links_point_to_the_setting_else_where_the_app_is_served(team_path):
    connection = store.open_store(team_path, read_only=True)
    try:
        config = settings.load(connection)
    finally:
        connection.close()
    assert settings.base_url(config) == (
        "http://localhost:8501", "Links point to http://localhost:8501: the app_url setting "
        "is not set (python -m relay setting app_url https://…).")
    assert settings.base_url(config, "https://relay.corp:9000/relay") == (
        "https://relay.corp:9000/relay", None)
    connection = store.open_store(team_path)
    try:
        by("admin", settings.change, connection, "app_url", "https://relay.example.com/")
        config = settings.load(connection)
    finally:
        connection.close()
    assert settings.base_url(config, "http://10.0.0.1:8501") == (
        "https://relay.example.com", None)


def test_a_hubspot_contacts_export_imports_who_each_lead_is(tmp_path, new_store, capsys):
    path = new_store(tmp_path / "store.duckdb")
    export = tmp_path / "hubspot-contacts.csv"
    export.write_text(
        "Record ID,Full Name,Company Name,Job Title,Email,Phone Number,Create Date,"
        "Lifecycle Stage,Contact owner\n"
        "101,Zoe Zed,Zed Corp,CFO,zoe@zed.example,+1 202 555 0101,2026-08-01,mql,Ann Rep\n",
        encoding="utf-8")
    assert cli.main(["import", str(export), "--table", "leads", "--preset", "hubspot_leads",
                     "--db", str(path)]) == 0, capsys.readouterr().err
    connection = store.open_store(path, read_only=True)
    try:
        stored = connection.execute(
            "select lead_id, name, company, title, email, phone from leads").fetchall()
    finally:
        connection.close()
    assert stored == [("101", "Zoe Zed", "Zed Corp", "CFO", "zoe@zed.example",
                       "+1 202 555 0101")]


def test_a_last_contact_is_never_read_as_the_first_touch():
    hubspot = layouts.PRESETS["hubspot_leads"]
    assert "first_touch_at" not in hubspot.source_for(["Record ID", "Last Contacted"])
    assert hubspot.source_for(["Record ID", "Last Contacted", "First Contact Date"])[
        "first_touch_at"] == 2
    salesforce = layouts.PRESETS["salesforce_leads"]
    assert "first_touch_at" not in salesforce.source_for(["Lead ID", "Last Activity"])
    assert salesforce.source_for(["Lead ID", "First Activity"])["first_touch_at"] == 1


def _write(path, *statements) -> None:
    connection = store.open_store(path)
    try:
        for statement in statements:
            connection.execute(statement)
        # By hand: the summaries follow, as the README asks of SQL written by hand.
        summaries.refresh(connection, summaries.SOURCES["store_holdings"])
    finally:
        store.checkpoint_and_close(connection)


def test_strengths_count_sqls_and_wins_only_by_the_as_of_day(team_path):
    # S6: Ann's Webinar MQL of March that became an SQL and was won on 20 Aug, after the
    # as-of day (15 Aug): as of 15 Aug it is an MQL that has reached neither.
    _write(team_path,
           "insert into leads (lead_id, campaign_id, source, region, segment, created_at, "
           "stage, mql_at, sql_at, first_touch_at, owner_id) values ('S6', 'CD', 'Webinar', "
           "'NA', 'SMB', '2026-03-01 09:00', 'opportunity', '2026-03-02 09:00', "
           "'2026-08-20 09:00', '2026-03-02 10:00', 'R1')",
           "insert into deals values ('DL', 'S6', 'Late Corp', 'R1', 'NA', 'SMB', 5000, 'won', "
           "'closed', '2026-08-01 09:00', '2026-08-20')")
    connection = store.open_store(team_path, read_only=True)
    try:
        by_channel = strengths.build(connection, Q3, team.AS_OF).tables["by_channel"]
    finally:
        connection.close()
    ann = by_channel[(by_channel["person_id"] == "R1") & (by_channel["value"] == "Webinar")]
    assert ann[["mqls", "sqls", "won"]].values.tolist() == [[4, 2, 1]]


def test_strengths_without_sql_dates_say_mql_to_sql_is_unknown_not_zero(team_path):
    _write(team_path, "update leads set sql_at = null")
    connection = store.open_store(team_path, read_only=True)
    try:
        view = strengths.build(connection, Q3, team.AS_OF)
    finally:
        connection.close()
    by_channel = view.tables["by_channel"]
    assert by_channel["mql_to_sql"].isna().all() and by_channel["sqls"].isna().all()
    assert by_channel["mqls"].tolist() == [1, 3, 1]
    assert view.figures["strength_mql_to_sql"].state.value == "unknown"
    assert "No SQL dates" in view.figures["strength_mql_to_sql"].reason


def test_on_the_first_day_of_a_quarter_last_quarters_leads_still_wait(team_cursor):
    # 1 Oct 2026, 2026-Q4's first day: Ann's MQLs of August still wait, all past the SLA.
    q4 = Filters(Quarter.parse("2026-Q4", 1))
    view = week.build(team_cursor, q4, dt.date(2026, 10, 1), rep="R1")
    assert view.tables["waiting_past_sla"]["lead_id"].tolist() == ["A3", "A1", "A2"]
    assert view.value("my_waiting_past_sla") == 3


def test_my_week_and_speed_to_lead_agree_for_the_same_rep_and_period(team_path):
    # Bob's MQL B2 moved on to SQL with no first touch recorded, and none of his MQLs has
    # one: his touches aren't recorded, so whether B1 waits past the SLA can't be told.
    _write(team_path, "update leads set first_touch_at = null where owner_id = 'R2'")
    connection = store.open_store(team_path, read_only=True)
    try:
        for rep, breaches in (("R1", 2), ("R2", None)):
            mine = week.build(connection, Q3, team.AS_OF, rep=rep)
            page = sla.build(connection, Q3, team.AS_OF, rep=rep)
            assert mine.figures["my_waiting_past_sla"].value == breaches
            assert page.figures["open_breaches"].value == breaches
            assert (mine.tables["waiting_past_sla"]["lead_id"].tolist()
                    == page.tables["open_breaches"]["lead_id"].tolist())
        bob = week.build(connection, Q3, team.AS_OF, rep="R2")
    finally:
        connection.close()
    assert bob.figures["my_waiting_past_sla"].state.value == "unknown"
    assert "can't be told" in bob.figures["my_waiting_past_sla"].reason


def test_a_manager_may_open_their_teams_weeks_and_nobody_elses(team_cursor):
    people = week.reps(team_cursor)
    assert week.weeks_open_to(people, "M1")["person_id"].tolist() == ["M1", "R1", "R2"]
    assert week.weeks_open_to(people, "R1")["person_id"].tolist() == ["R1"]
    assert week.team(people, "M1")["person_id"].tolist() == ["R1", "R2"]
    # The digest's link names a rep as the picker does: the link opens that rep.
    mine = week.rep_names(people, only=["M1", "R1", "R2"])
    assert mine == {"Mia Lead": "M1", "Ann Rep": "R1", "Bob Rep": "R2"}
    assert mine[week.rep_label(people, "R2")] == "R2" and "Eve Rep" not in mine
    twins = people.assign(name=["Ann Rep", "Ann Rep", "Eve Rep", "Mia Lead"])
    assert week.rep_label(twins, "R2") == "Ann Rep (R2)"


def _week_as(name: str, rep_link: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.secrets = {"local": {"role": "rep", "name": name}}
    at.query_params["quarter"] = "2026-Q3"
    at.query_params["rep"] = rep_link
    at.run()
    return at.switch_page("app_pages/week.py").run()


def test_a_digest_link_opens_a_team_members_week_for_their_manager_only(app_env, team_path):
    app_env(team_path, team.AS_OF)
    mia = _week_as("Mia Lead", "Bob Rep")
    assert not mia.exception
    assert mia.selectbox(key="rep").options == ["Mia Lead", "Ann Rep", "Bob Rep"]
    assert mia.dataframe[0].value["lead_id"].tolist() == ["B1"]
    ann = _week_as("Ann Rep", "Bob Rep")  # not her team: her own week, never Bob's
    assert not ann.exception and not [box for box in ann.selectbox if box.key == "rep"]
    assert ann.dataframe[0].value["lead_id"].tolist() == ["A3", "A1"]
