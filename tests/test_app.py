"""AppTest of every page: default filters, filters from the URL and the sidebar, bad input,
and the figures on screen equal to `relay report` for the same filters."""

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from conftest import AS_OF, DEMO_AS_OF, PROJECT_ROOT, by, copy_store
from relay import cli, goals, store, summaries
from relay import format as fmt
from relay.filters import Filters
from relay.fiscal import Quarter

PAGES = ["app_pages/overview.py", "app_pages/forecast.py", "app_pages/goals.py",
         "app_pages/planner.py", "app_pages/calendar.py", "app_pages/funnel.py", "app_pages/sla.py",
         "app_pages/campaigns.py", "app_pages/data.py", "app_pages/meeting.py"]
TIMEOUT = 60


def app(query: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(page).run() if page else at


def shown_text(elements) -> str:
    """What alert elements say once their markdown escapes are rendered."""
    return " ".join(re.sub(r"\\(.)", r"\1", element.value) for element in elements)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_fixture_store(app_env, fixture_path, page):
    app_env(fixture_path, AS_OF)
    at = app(page=page)
    assert not at.exception
    assert not at.error


def test_overview_default_filters_show_the_hand_computed_figures(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app()
    assert not at.exception
    shown = metrics(at)
    assert shown["Revenue target"] == "$200K"
    assert shown["Closed-won"] == "$60.0K"
    assert shown["Attainment"] == "30%"
    attainment = next(m for m in at.metric if m.label == "Attainment")
    assert attainment.delta == "50% of the quarter gone"
    assert shown["Still to close"] == "$140K"
    assert shown["Commit (reps)"] == "$75.0K"
    assert shown["Best case (reps)"] == "$110K"
    assert shown["Weighted pipeline"] == "$30.0K"
    assert shown["Model forecast"] == "$90.0K"
    assert shown["Pipeline coverage"] == "0.5×"
    assert shown["MQLs"] == "2"
    assert shown["SQLs"] == "2"
    # Named for their scope: this quarter's deals whose lead came from any campaign.
    assert shown["Pipeline created from campaign leads"] == "9%"
    assert shown["Closed-won from campaign leads"] == "17%"
    assert len(at.get("plotly_chart")) == 2
    # Every figure's definition is one hover away.
    assert all(m.help for m in at.metric)


def test_overview_region_from_the_url(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2026-Q3", "region": "NA"})
    shown = metrics(at)
    assert shown["Revenue target"] == "$120K"
    assert shown["Closed-won"] == "$10.0K"
    assert shown["Commit (reps)"] == "$35.0K"
    assert at.sidebar.selectbox(key="region").value == "NA"


def test_overview_filters_from_the_sidebar(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app()
    at.sidebar.selectbox(key="region").select("EMEA").run()
    at.sidebar.selectbox(key="segment").select("Enterprise").run()
    shown = metrics(at)
    assert shown["Closed-won"] == "$50.0K"
    assert shown["Revenue target"] == "—"
    assert "No revenue goal is set for 2026-Q3 · EMEA · Enterprise" in shown_text(at.warning)
    at.sidebar.selectbox(key="quarter").select("2026-Q2").run()
    assert metrics(at)["Closed-won"] == "$0"


def test_unknown_values_in_the_url_warn_and_fall_back(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2026-Q9", "region": "Mars", "segment": "<b>Huge</b>"})
    assert not at.exception
    warnings = shown_text(at.warning)
    assert "'2026-Q9' is not a fiscal quarter" in warnings
    assert "'Mars' is not in the data" in warnings
    assert "'<b>Huge</b>' is not in the data" in warnings
    assert metrics(at)["Revenue target"] == "$200K"  # current quarter, company-wide


def test_a_quarter_outside_the_store_warns(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2019-Q1"})
    assert "2019-Q1 is outside the quarters the store covers" in shown_text(at.warning)


@pytest.mark.parametrize("query", [{}, {"quarter": "2026-Q3", "region": "NA"},
                                   {"quarter": "2026-Q2", "segment": "Enterprise"}])
def test_page_figures_equal_the_cli_report(app_env, fixture_path, capsys, query):
    app_env(fixture_path, AS_OF)
    args = ["report", "overview", "--db", str(fixture_path), "--as-of", AS_OF.isoformat(),
            "--quarter", query.get("quarter", "2026-Q3")]
    for key in ("region", "segment"):
        if key in query:
            args += [f"--{key}", query[key]]
    assert cli.main(args) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    # The app keeps its connection open; the CLI ran first, as a separate user would.
    shown = metrics(app(query))
    for figure in figures.values():
        if figure["label"] in shown:
            assert shown[figure["label"]] == fmt.by_unit(figure["value"], figure["unit"]), (
                figure["label"]
            )
    # A closed quarter (2026-Q2) shows its result and the calls made, not a forecast: ten.
    assert len(shown) >= 10


def test_an_empty_store_says_what_to_do(app_env, tmp_path, new_store):
    path = tmp_path / "empty.duckdb"
    new_store(path)
    app_env(path, AS_OF)
    expected = {"app_pages/overview.py": "Import deals or goals or leads",
                "app_pages/forecast.py": "Import deals", "app_pages/funnel.py": "Import leads",
                "app_pages/sla.py": "Import leads",
                "app_pages/campaigns.py": "Import campaigns"}
    for page, says in expected.items():
        at = app(page=page)
        assert not at.exception
        assert f"{says} on the Data page" in shown_text(at.info), page
        assert not at.metric


def test_an_empty_store_leads_a_planner_on_to_the_forms_that_start_it(app_env, tmp_path):
    path = tmp_path / "empty.duckdb"
    store.create(path).close()
    app_env(path, AS_OF)
    # What to import, said to a planner as "An admin imports ...".
    starts = {"app_pages/goals.py": "goals", "app_pages/calendar.py": "campaigns",
              "app_pages/planner.py": "deals or leads"}
    for role, goes_on in (("planner", True), ("viewer", False)):
        for page, says in starts.items():
            at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
            at.secrets = {"local": {"role": role}}
            at.run()
            at.switch_page(page).run()
            assert not at.exception, page
            assert f"imports {says} on the Data page" in shown_text(at.info), page
            # A planner adds goals or campaigns, or sets the assumptions, below the guidance.
            assert bool(at.text_input or at.data_editor) is goes_on, (role, page)


def test_a_corrupt_store_is_an_error_message_not_a_traceback(app_env, tmp_path):
    path = tmp_path / "corrupt.duckdb"
    path.write_bytes(b"not a database" * 100)
    app_env(path, AS_OF)
    at = app()
    assert not at.exception
    assert "not a store" in shown_text(at.error)
    assert path.read_bytes() == b"not a database" * 100


def test_a_missing_store_is_an_error_message(app_env, tmp_path):
    app_env(tmp_path / "gone.duckdb", AS_OF)
    at = app()
    assert not at.exception
    assert "There is no store" in shown_text(at.error)
    assert not (tmp_path / "gone.duckdb").exists()


def test_the_demo_store_says_it_is_demo_data_with_figures(app_env, demo_path, tmp_path):
    # A copy: the app keeps its connection open, and other tests read the shared demo store
    # read-only (DuckDB refuses a second configuration of one file in a process).
    app_env(copy_store(demo_path, tmp_path / "demo.duckdb"), DEMO_AS_OF)
    at = app()
    assert not at.exception
    assert "Demo data" in at.info[0].value
    shown = metrics(at)
    assert shown["Revenue target"].startswith("$") and shown["Revenue target"].endswith("M")
    assert len(at.get("plotly_chart")) == 2


# --- Joint goals ------------------------------------------------------------------------

def goals_page(query: dict | None = None) -> AppTest:
    return app(query, page="app_pages/goals.py")


def test_goals_page_shows_progress_per_team_equal_to_the_cli(app_env, fixture_path, capsys):
    args = ["report", "goals", "--db", str(fixture_path), "--as-of", AS_OF.isoformat(),
            "--quarter", "2026-Q3"]
    assert cli.main(args) == 0
    printed = json.loads(capsys.readouterr().out)["tables"]["goals"]
    app_env(fixture_path, AS_OF)
    at = goals_page()
    assert not at.exception
    assert metrics(at) == {"Goals on pace": "2 of 6"}
    assert len(at.get("plotly_chart")) == 1
    editors = at.data_editor
    assert len(editors) == 3  # shared, marketing, sales
    shown = {row["goal"]: row for editor in editors for row in editor.value.to_dict("records")}
    assert {r["goal"]: (r["target"], r["actual"], r["status"]) for r in printed} == {
        goal: (row["target"], None if row["actual"] != row["actual"] else row["actual"],
               row["status"]) for goal, row in shown.items()
    }
    assert shown["Closed-won revenue · company-wide"]["actual"] == 60_000
    assert shown["SQLs · company-wide"]["status"] == "On pace"


def test_goals_page_reviews_a_closed_quarter(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = goals_page({"quarter": "2026-Q2"})
    assert metrics(at) == {"Goals hit": "0 of 1"}
    assert "closed quarter" in at.caption[0].value


def test_both_sides_sign_off_from_the_page(app_env, fixture_path):
    # One laptop in the room (local mode): each side picks who signs from its team, and the
    # signature takes the place of the button.
    app_env(fixture_path, AS_OF)
    at = goals_page()
    assert at.button(key="goals_sign_marketing").disabled  # nobody picked yet
    at.selectbox(key="goals_signer_marketing_2026-Q3").select("Max Marketer").run()
    at.button(key="goals_sign_marketing").click().run()
    assert "Max Marketer signed the 2026-Q3 plan for marketing." in shown_text(at.success)
    assert "agreed by Max Marketer" in shown_text(at.markdown)
    assert "goals_sign_marketing" not in [button.key for button in at.button]
    at.selectbox(key="goals_signer_sales_2026-Q3").select("Ann Rep").run()
    at.button(key="goals_sign_sales").click().run()
    assert "agreed by marketing and sales" in shown_text(at.success)
    assert "agreed by Ann Rep" in shown_text(at.markdown)


def test_adding_a_goal_from_the_page(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = goals_page()
    [s for s in at.selectbox if s.label == "Metric"][0].select("pipeline")
    [t for t in at.text_input if t.label == "Target"][0].input("90000")
    [b for b in at.button if b.label == "Add to 2026-Q3"][0].click().run()
    assert not at.exception
    assert "Added the pipeline goal to 2026-Q3." in shown_text(at.success)
    # 115,000 pipeline created against 90,000 × half a quarter: on pace.
    assert metrics(at) == {"Goals on pace": "3 of 7"}


def test_a_bad_new_goal_is_refused_on_the_page(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = goals_page()
    [t for t in at.text_input if t.label == "Target"][0].input("-5")
    [b for b in at.button if b.label == "Add to 2026-Q3"][0].click().run()
    assert "cannot be negative" in shown_text(at.error)
    assert metrics(at) == {"Goals on pace": "2 of 6"}


def test_start_an_empty_quarter_from_last_quarter(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = goals_page({"quarter": "2026-Q4"})
    assert "No goals are set" in shown_text(at.info)
    [b for b in at.button if b.label.startswith("Copy 2026-Q3 goals")][0].click().run()
    assert not at.exception
    assert "Copied 6 goals into 2026-Q4, grown by 5%." in shown_text(at.success)
    shown = {row["goal"]: row["target"]
             for editor in at.data_editor for row in editor.value.to_dict("records")}
    assert shown["Closed-won revenue · company-wide"] == 210_000


def test_goals_page_for_a_closed_quarter_is_a_record_of_hit_or_missed(app_env, fixture_path,
                                                                     monkeypatch):
    connection = store.open_store(fixture_path)
    monkeypatch.setenv("RELAY_TODAY", "2026-06-01")  # the goal was set while Q2 was open
    by("pat", goals.add_goal, connection, "2026-Q2", "win_rate", None, None, 0.5, "sales")
    connection.close()
    app_env(fixture_path, AS_OF)
    at = goals_page({"quarter": "2026-Q2"})
    assert not at.exception
    # Q2 won H6 $6K and D7 $7K, lost nothing: revenue missed, the 100% win rate hit.
    assert metrics(at) == {"Goals hit": "1 of 2"}
    assert not at.data_editor  # nothing to edit, no pace
    rows = {row["goal"]: row for frame in at.dataframe[:-1]
            for row in frame.value.to_dict("records")}
    assert {goal: (row["target_shown"], row["actual_shown"], row["status"], row["result"])
            for goal, row in rows.items()} == {
        "Closed-won revenue · company-wide": ("$150K", "$13.0K", "Missed",
                                              "$137K short of target"),
        "Win rate · company-wide": ("50%", "100%", "Hit", "50 points above target"),
    }
    for frame in at.dataframe[:-1]:
        assert "expected_shown" not in frame.proto.column_order
    # Sign-off as a record: who signed, or not signed; no buttons to sign a closed quarter.
    assert "**Marketing lead:** not signed" in [m.value for m in at.markdown]
    assert not [b for b in at.button if b.label.startswith("Sign off")]
    assert not [b for b in at.button if b.label == "Save changes"]


def test_goals_page_for_a_future_quarter_is_the_plan_only(app_env, fixture_path):
    connection = store.open_store(fixture_path)
    by("pat", goals.add_goal, connection, "2026-Q4", "revenue", None, None, 120_660_000,
       "shared")
    connection.close()
    app_env(fixture_path, AS_OF)
    at = goals_page({"quarter": "2026-Q4"})
    assert not at.exception
    assert metrics(at) == {"Goals": "1", "Goals hit": "—"}
    assert "2026-Q4 has not started" in shown_text(at.caption)
    assert not at.get("plotly_chart")
    [editor] = at.data_editor
    assert list(editor.proto.column_order) == ["goal", "target_shown", "target", "updated_by",
                                               "version"]
    assert editor.value.loc[0, "target_shown"] == "$120.7M"
    everything = shown_text(at.caption) + shown_text(at.markdown) + shown_text(at.info)
    assert "short" not in everything and "on pace" not in everything.lower()


def test_goals_page_without_goals_points_to_the_planner(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = goals_page({"quarter": "2026-Q4"})
    [link] = at.get("page_link")
    assert link.proto.label == "Work the goals out in the Demand planner"
    assert [s.value for s in at.subheader if s.value == "Start from last quarter"]


# --- Demand planner -----------------------------------------------------------------------

PLAN_RATES = {"win_rate": 0.25, "average_deal_size": 50_000, "lead_sourced_share": 1.0,
              "sql_to_opportunity": 0.8, "sal_to_sql": 0.5, "mql_to_sal": 0.4}
Q3_FILTERS = Filters(Quarter(2026, 3))


def planner_page(overrides=None, query=None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if overrides is not None:
        at.session_state[f"planner_overrides_{Q3_FILTERS}"] = overrides
    at.run()
    return at.switch_page("app_pages/planner.py").run()


def test_planner_works_back_from_the_stored_revenue_goal(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = planner_page(PLAN_RATES)
    assert not at.exception
    shown = metrics(at)
    # $200K ÷ $50K = 4 deals; ÷ 0.25 = 16 opportunities, $800K pipeline; ÷ 0.8 = 20 SQLs;
    # ÷ 0.5 = 40 SALs; ÷ 0.4 = 100 MQLs.
    assert shown["Deals to win"] == "4"
    assert shown["Opportunities needed"] == "16"
    assert shown["Pipeline to close (won + lost)"] == "$800K"
    assert shown["SQLs needed"] == "20"
    assert shown["SALs needed"] == "40"
    assert shown["MQLs needed"] == "100"
    # Campaign leads 100 × 15/31 + 50 = 98.4, × measured inquiry → MQL 1.0; no other MQLs.
    assert shown["MQLs from planned campaigns"] == "98"
    assert shown["MQLs against the need"] == "2 MQLs short"  # 100 − 98 − 0
    assert len(at.get("plotly_chart")) == 1
    # C1 (completed) and C2 (planned) overlap Q3; a cancelled one would not count.
    assert "2 campaigns (not cancelled) run in 2026-Q3" in shown_text(at.caption)
    saved = at.dataframe[-1].value.set_index("metric")
    # Revenue ÷ win rate is pipeline to be decided in the quarter: not pipeline created.
    assert saved.loc["pipeline_closed", "goal"] == "Pipeline closed (won + lost)"
    assert saved["planned_shown"].to_dict() == {
        "revenue": "$200K", "pipeline_closed": "$800K", "sqls": "20", "sals": "40", "mqls": "100",
        "win_rate": "25%"}


def test_planner_what_if_target(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = planner_page(PLAN_RATES)
    assert at.number_input[0].format == "%.0f"  # 25000000, not 25000000.00
    at.number_input[0].set_value(1_000_000).run()
    assert metrics(at)["MQLs needed"] == "500"
    # $100K: 50 MQLs needed against 98 from campaigns, a surplus said in words.
    at.number_input[0].set_value(100_000).run()
    assert metrics(at)["MQLs against the need"] == "48 more MQLs than needed"


def test_planner_without_history_asks_for_the_missing_assumption(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = planner_page()
    assert not at.exception
    assert "there is no history to measure it on" in shown_text(at.warning)


def test_a_bad_what_if_can_be_put_right_on_the_page(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = planner_page({**PLAN_RATES, "win_rate": 1.5})
    assert not at.exception
    assert "at most 1" in shown_text(at.warning)
    assert at.data_editor  # the assumptions stay editable
    [b for b in at.button if b.label == "Back to the measured values"][0].click().run()
    assert "there is no history to measure it on" in shown_text(at.warning)


def test_saving_a_plan_from_the_page(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = planner_page(PLAN_RATES)
    [b for b in at.button if b.label == "Save the plan as 2026-Q3 goals"][0].click().run()
    assert not at.exception
    assert "Saved the plan as the 2026-Q3 goals" in shown_text(at.success)
    connection = store.open_store(fixture_path)
    saved = dict(connection.execute(
        "select metric, target from goals where quarter = '2026-Q3' and region is null").fetchall())
    connection.close()
    assert saved["mqls"] == 100 and saved["win_rate"] == 0.25
    assert saved["pipeline_closed"] == 800_000


# --- Campaign calendar ----------------------------------------------------------------------

def calendar_page(query: dict) -> AppTest:
    return app(query, page="app_pages/calendar.py")


def test_a_calendar_link_reproduces_the_view(app_env, fixture_path, capsys):
    assert cli.main(["report", "calendar", "--db", str(fixture_path), "--as-of",
                     AS_OF.isoformat(), "--from", "2026-06-01", "--to", "2026-07-31",
                     "--region", "NA", "--segment", "SMB"]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    app_env(fixture_path, AS_OF)
    at = calendar_page({"region": "NA", "segment": "SMB", "range": "Custom dates",
                        "from": "2026-06-01", "to": "2026-07-31"})
    assert not at.exception
    assert at.selectbox(key="range").value == "Custom dates"
    assert at.date_input(key="from").value.isoformat() == "2026-06-01"
    shown = metrics(at)
    assert shown["Campaigns in range"] == "1" and shown["Leads expected"] == "100"
    assert shown["Leads arrived"] == "2"  # L2 (20 June) and L1 (2 July) from C1
    assert len(at.get("plotly_chart")) == 2
    assert at.dataframe[0].value["campaign_id"].tolist() == ["C1"]
    for figure in figures.values():  # the page shows what `relay report calendar` prints
        assert shown[figure["label"]] == fmt.by_unit(figure["value"], figure["unit"])
    assert len(at.get("download_button")) == 2



@pytest.mark.parametrize("bad", ["2026-02-31", "garbage", "20260201", "1850-01-01"])
def test_a_bad_calendar_date_in_the_address_is_named_with_the_range_used(
        app_env, fixture_path, bad):
    """The bound date field drops what it cannot read (or what lies outside its bounds)
    without a word; the page says so, and which range it shows instead."""
    app_env(fixture_path, AS_OF)
    at = calendar_page({"range": "Custom dates", "from": bad, "to": "2026-09-30"})
    assert not at.exception and not at.error
    warning = shown_text(at.warning)
    assert f"From: '{bad}' in the address is not a date" in warning
    assert "15 Aug 2026 is used instead" in warning  # today, the field's default
    assert "Showing 15 Aug 2026 – 30 Sep 2026" in warning
    assert at.caption[0].value.startswith("15 Aug 2026 – 30 Sep 2026")


def test_a_bad_calendar_date_that_leaves_no_range_is_named_beside_the_error(
        app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = calendar_page({"range": "Custom dates", "from": "2026-02-31", "to": "2026-07-31"})
    assert "From: '2026-02-31' in the address is not a date" in shown_text(at.warning)
    assert "ends (31 Jul 2026) before it starts (15 Aug 2026)" in shown_text(at.error)


def test_good_old_calendar_dates_and_preset_ranges_bring_no_warning(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    # Ten years back: outside the date field's default bounds, inside the calendar's.
    at = calendar_page({"range": "Custom dates", "from": "2010-01-01", "to": "2010/03/31"})
    assert not at.warning and not at.error
    assert at.caption[0].value.startswith("01 Jan 2010 – 31 Mar 2010")
    at = calendar_page({"range": "Next 30 days", "from": "garbage"})  # dates not read
    assert not at.warning and not at.error

def test_calendar_presets_and_unknown_link_values(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = calendar_page({"range": "Next 60 days", "channel": ["Events", "Telepathy"]})
    assert not at.exception
    assert "'Telepathy' not known" in shown_text(at.warning)
    # 15 August + 60 days reaches C2 (20-22 September, Events).
    assert at.dataframe[0].value["campaign_id"].tolist() == ["C2"]
    at = calendar_page({"range": "Custom dates", "from": "2026-09-01", "to": "2026-08-01"})
    assert "before it starts" in shown_text(at.error)


def test_adding_a_campaign_from_the_calendar(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = calendar_page({"range": "This quarter"})
    form = [t for t in at.text_input if t.label == "Name"][0]
    form.input("<b>Partner</b> webinar")
    [s for s in at.selectbox if s.label == "Channel"][0].select("Partner")
    [t for t in at.text_input if t.label == "Expected leads"][0].input("40")
    [d for d in at.date_input if d.label == "Start"][0].set_value(AS_OF)
    [d for d in at.date_input if d.label == "End"][0].set_value(AS_OF)
    [b for b in at.button if b.label == "Add campaign"][0].click().run()
    assert not at.exception
    assert "Saved the campaign" in shown_text(at.success)
    names = at.dataframe[0].value["name"].tolist()
    assert "<b>Partner</b> webinar" in names  # stored and shown as typed


def test_a_bad_campaign_is_refused_on_the_page(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = calendar_page({"range": "This quarter"})
    [t for t in at.text_input if t.label == "Name"][0].input("Backwards")
    [d for d in at.date_input if d.label == "Start"][0].set_value(AS_OF)
    [d for d in at.date_input if d.label == "End"][0].set_value(AS_OF.replace(day=1))
    [t for t in at.text_input if t.label == "Budget"][0].input("-10")
    [b for b in at.button if b.label == "Add campaign"][0].click().run()
    errors = shown_text(at.error)
    assert "before the start date" in errors and "cannot be negative" in errors


# --- The hand-off: funnel, speed to lead, campaign performance -----------------------------

@pytest.mark.parametrize("view, page", [("funnel", "app_pages/funnel.py"),
                                        ("sla", "app_pages/sla.py"),
                                        ("campaigns", "app_pages/campaigns.py")])
def test_handoff_pages_equal_the_cli(app_env, handoff_path, capsys, view, page):
    assert cli.main(["report", view, "--db", str(handoff_path), "--quarter", "2026-Q3",
                     "--as-of", AS_OF.isoformat()]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    app_env(handoff_path, AS_OF)
    at = app({"quarter": "2026-Q3"}, page=page)
    assert not at.exception
    shown = metrics(at)
    for figure in figures.values():
        if figure["label"] in shown:
            assert shown[figure["label"]] == fmt.by_unit(figure["value"], figure["unit"]), (
                figure["label"])
    assert len(shown) >= 5
    assert at.get("plotly_chart")


def test_funnel_page_figures(app_env, handoff_path):
    app_env(handoff_path, AS_OF)
    at = app({"quarter": "2026-Q3"}, page="app_pages/funnel.py")
    assert metrics(at)["Inquiries"] == "5" and metrics(at)["Won"] == "2"
    assert "accepted (SAL) before they became MQLs" in shown_text(at.warning)
    assert at.dataframe[1].value["dimension"].unique().tolist() == ["channel"]


def test_a_rep_opens_their_breaches_from_a_link(app_env, handoff_path):
    app_env(handoff_path, AS_OF)
    at = app({"quarter": "2026-Q3", "rep": "Ann Rep"}, page="app_pages/sla.py")
    assert not at.exception
    assert at.selectbox(key="rep").value == "Ann Rep"
    breaches = at.dataframe[0].value
    assert breaches["lead_id"].tolist() == ["L7"]
    # The figures follow the rep: Ann's L1 and L6 within the SLA, L7 past it: 2 of 3.
    assert metrics(at)["Within SLA"] == "67%" and metrics(at)["Open breaches"] == "1"
    at = app({"quarter": "2026-Q3", "rep": "Bob Rep"}, page="app_pages/sla.py")
    assert at.dataframe[0].value.empty
    at = app({"quarter": "2026-Q3", "rep": "Nobody"}, page="app_pages/sla.py")
    assert "'Nobody' not known" in shown_text(at.warning)


def test_a_planner_changes_the_sla_and_it_is_audited(app_env, handoff_path, monkeypatch):
    app_env(handoff_path, AS_OF)
    monkeypatch.setenv("RELAY_USER", "pat.planner")
    at = app({"quarter": "2026-Q3"}, page="app_pages/sla.py")
    [n for n in at.number_input if n.label.startswith("Hours")][0].set_value(48)
    [b for b in at.button if b.label == "Save the SLA"][0].click().run()
    assert not at.exception
    assert "The SLA is now 48 hours" in shown_text(at.success)
    assert metrics(at)["SLA"] == "2 days" and metrics(at)["Open breaches"] == "1"
    connection = store.open_store(handoff_path)
    audit = connection.execute("select actor, entity_id, after from audit_log"
                               " where action = 'setting.change'").fetchall()
    connection.close()
    assert audit == [("pat.planner", "sla_hours", '"48"')]


def test_campaign_performance_page_shows_roi_as_not_available_without_cost(app_env,
                                                                            handoff_path):
    app_env(handoff_path, AS_OF)
    at = app({"quarter": "2026-Q3"}, page="app_pages/campaigns.py")
    # C1's cost (4,000) × its 15 of 31 days in Q3 = 1,935.48; 10,000 won from its Q3 leads.
    assert metrics(at)["Campaign cost in the quarter"] == "$1.9K"
    assert metrics(at)["Campaign ROI in the quarter"] == "417%"
    campaigns_table = at.dataframe[1].value.set_index("campaign_id")
    assert campaigns_table.loc["C3", "roi"] != campaigns_table.loc["C3", "roi"]  # NaN: n/a
    assert campaigns_table.loc["C3", "cost_per_lead"] == 0  # a free campaign
    [m for m in at.multiselect if m.label == "Channel"][0].select("Webinar").run()
    assert at.dataframe[1].value["campaign_id"].tolist() == ["C1"]


def deals_only(path):
    """The fixture store with its deals alone: no leads, campaigns, goals, forecasts or
    deal history."""
    connection = store.open_store(path)
    for table in ("leads", "campaigns", "goals", "forecast_submissions", "deal_history"):
        connection.execute(f"delete from {table}")
    connection.execute("update deals set lead_id = null")
    summaries.refresh(connection, ["deals"])  # by hand
    connection.close()
    return path


def test_campaign_pages_on_a_deals_only_store_show_their_empty_state(app_env, fixture_path):
    app_env(deals_only(fixture_path), AS_OF)
    at = app({"quarter": "2026-Q3"}, page="app_pages/campaigns.py")
    assert not at.exception
    assert "Import campaigns on the Data page" in shown_text(at.info)
    assert not at.metric and not at.dataframe
    at = calendar_page({"range": "Custom dates", "from": "2026-06-01", "to": "2026-09-30"})
    assert not at.exception
    assert "Import campaigns on the Data page" in shown_text(at.info)
    # A planner goes on to the form that adds the first campaign; no figure reads 0.
    assert at.metric and all(m.value == fmt.MISSING for m in at.metric)
    assert "No campaigns in the store" in shown_text(at.caption)
    assert "with these filters" not in shown_text(at.info)


# -- Forecast ---------------------------------------------------------------------------------

FORECAST = "app_pages/forecast.py"
# The forecast page's tabs: only the open one is drawn (?tab=… opens another).
FORECAST_TABS = ("This quarter", "How the call moved", "Track record")
MOVED, TRACK_RECORD, SUBMIT = FORECAST_TABS[1], FORECAST_TABS[2], "Submit a forecast"


@pytest.mark.parametrize("query", [{}, {"region": "NA"}])
def test_forecast_page_figures_equal_the_cli_report(app_env, fixture_path, capsys, query):
    app_env(fixture_path, AS_OF)
    args = ["report", "forecast", "--db", str(fixture_path), "--as-of", AS_OF.isoformat(),
            "--quarter", "2026-Q3", *(["--region", query["region"]] if query else [])]
    assert cli.main(args) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    shown, charts = {}, 0
    for tab in FORECAST_TABS:  # only the open tab is drawn
        at = app({"quarter": "2026-Q3", **query, "tab": tab}, page=FORECAST)
        assert not at.exception
        shown |= metrics(at)
        charts += len(at.get("plotly_chart"))
    compared = [f for f in figures.values() if f["label"] in shown]
    said_in_words = {"pipeline_net_change": fmt.in_words(
        figures["pipeline_net_change"]["value"], "currency", "more than at the start",
        "less than at the start")}
    for key in ("commit_bias_mean", "model_bias_mean"):
        said_in_words[key] = fmt.in_words(figures[key]["value"], "percent", "too high",
                                          "too low", "spot on")
    for key, figure in figures.items():
        if figure["label"] in shown:
            assert shown[figure["label"]] == said_in_words.get(
                key, fmt.by_unit(figure["value"], figure["unit"])), figure["label"]
    assert len(compared) >= 18
    # The target chart, the weekly calls, the pipeline waterfall and the accuracy chart.
    assert charts == 4


def test_forecast_page_hand_computed_figures(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app(page=FORECAST)
    shown = metrics(at)
    assert shown["Commit (reps)"] == "$75.0K"
    assert shown["Model forecast"] == "$90.0K"
    # The gaps in words beside the calls: 200,000 − 75,000 and 200,000 − 90,000.
    assert delta(at, "Commit (reps)") == "2 of 2 reps called · $125K short of target"
    assert delta(at, "Model forecast") == "$110K short of target"
    reps = at.dataframe[0].value
    assert reps["rep"].tolist() == ["Ann Rep", "Bob Rep"]
    # D5's 40,000 in Pipeline, a category without a basis, is left out and said so.
    assert "$40.0K of open pipeline in Pipeline is left out" in shown_text(at.warning)


def delta(at: AppTest, label: str) -> str:
    """The note under a figure, its markdown escapes rendered."""
    return re.sub(r"\\(.)", r"\1", next(m for m in at.metric if m.label == label).delta)


NOT_IN_A_CLOSED_QUARTER = ["Open pipeline", "Still to close", "Pipeline coverage",
                           "Weighted pipeline", "Model forecast", "Quarter gone"]


@pytest.mark.parametrize("page", ["app_pages/overview.py", FORECAST])
def test_a_closed_quarter_shows_its_result_and_no_forecast(app_env, fixture_path, page):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2026-Q2"}, page=page)
    assert not at.exception
    shown = metrics(at)
    # Won in 2026-Q2: H6 6,000 and D7 7,000 against 150,000; no deal due in it is open.
    assert shown["Revenue target"] == "$150K"
    assert shown["Closed-won"] == "$13.0K"
    assert delta(at, "Closed-won") == "$137K short of target"
    assert shown["Attainment"] == "9%"
    assert delta(at, "Attainment") == "missed"
    assert shown["Past due (still open)"] == "$0"
    assert delta(at, "Past due (still open)") == "every deal due in 2026-Q2 closed"
    # Ann's call of 4 May is the record of what the reps called.
    assert shown["Commit (reps)"] == "$1.0K"
    assert not set(NOT_IN_A_CLOSED_QUARTER) & set(shown)
    assert "How 2026-Q2 ended" in [s.value for s in at.subheader]


@pytest.mark.parametrize("page", ["app_pages/overview.py", FORECAST])
def test_the_current_quarter_shows_pace_and_forecast(app_env, fixture_path, page):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2026-Q3"}, page=page)
    assert not at.exception
    shown = metrics(at)
    # 60,000 won of 200,000; 46 of 92 days gone; D4 30,000 + D5 40,000 open.
    assert shown["Attainment"] == "30%"
    assert delta(at, "Attainment") == "50% of the quarter gone"
    assert shown["Still to close"] == "$140K"
    assert shown["Open pipeline"] == "$70.0K"
    assert shown["Pipeline coverage"] == "0.5×"
    assert delta(at, "Model forecast") == "$110K short of target"
    assert "Past due (still open)" not in shown


@pytest.mark.parametrize("page", ["app_pages/overview.py", FORECAST])
def test_a_future_quarter_shows_the_plan(app_env, fixture_path, page):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2026-Q4"}, page=page)
    assert not at.exception
    shown = metrics(at)
    # No goal for 2026-Q4 and no call yet; D8 (15,000) is already due in it, but the model
    # has no rate for it: unknown, not $0.
    assert shown["Revenue target"] == "—"
    assert shown["Open pipeline"] == "$15.0K"
    assert delta(at, "Open pipeline") == "already due in 2026-Q4"
    assert shown["Model forecast"] == shown["Weighted pipeline"] == "—"
    assert not {"Closed-won", "Attainment", "Still to close", "Commit (reps)"} & set(shown)
    assert not {"MQLs", "SQLs", "Closed-won from campaign leads"} & set(shown)
    text = shown_text([*at.caption, *at.warning])
    assert "No revenue goal is set for 2026-Q4" in text
    assert "No rep has submitted a forecast for 2026-Q4 by 15 Aug 2026" in text
    assert "short of target" not in text + " ".join(str(m.delta) for m in at.metric)


def test_forecast_changes_between_dates_from_the_url(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"from": "2026-07-20", "to": "2026-08-15", "tab": MOVED}, page=FORECAST)
    assert not at.exception
    shown = metrics(at)
    assert shown["Pipeline at the start"] == "$105K"
    assert shown["Pipeline at the end"] == "$70.0K"
    assert shown["Net change"] == "$35.0K less than at the start"
    assert "from the start of 20 Jul 2026 to the end of 15 Aug 2026" in " ".join(
        c.value for c in at.caption).replace("\\", "")


def test_forecast_period_in_the_wrong_order_is_an_error(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"from": "2026-08-10", "to": "2026-08-01", "tab": MOVED}, page=FORECAST)
    assert not at.exception
    assert "before it starts" in shown_text(at.error)
    assert "Pipeline at the start" not in metrics(at)


def test_bad_forecast_values_in_the_url_warn(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"from": "2026-13-45", "tab": MOVED}, page=FORECAST)
    assert not at.exception
    assert "From: '2026-13-45' in the address is not a date" in shown_text(at.warning)
    assert metrics(at)["Pipeline at the start"] == "$50.0K"  # the default period
    at = app({"cutoff_week": "week 99", "tab": TRACK_RECORD}, page=FORECAST)
    assert not at.exception
    assert "Cut-off week: 'week 99' not known" in shown_text(at.warning)


def test_forecast_track_record_follows_the_cutoff_week(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"tab": TRACK_RECORD}, page=FORECAST)
    assert metrics(at)["Reps' accuracy (mean)"] == "8%"  # 1 − 12,000 / 13,000 in 2026-Q2
    # (1,000 − 13,000) ÷ 13,000: said in words, not as −92%.
    assert metrics(at)["Reps' bias (mean)"] == "92% too low"
    at.selectbox(key="cutoff_week").select(4).run()
    assert metrics(at)["Reps' accuracy (mean)"] == "—"  # no call before 4 May
    # A shared link keeps the week.
    linked = app({"cutoff_week": "week 4", "tab": TRACK_RECORD}, page=FORECAST)
    assert metrics(linked)["Reps' accuracy (mean)"] == "—"


def test_submitting_a_forecast_from_the_page(app_env, fixture_path, monkeypatch):
    app_env(fixture_path, AS_OF)
    monkeypatch.setenv("RELAY_USER", "ann@example.com")
    at = app({"tab": SUBMIT}, page=FORECAST)
    person = next(s for s in at.selectbox if s.label == "Forecast of")
    assert person.value == "P2"  # the signed-in person's own row
    next(n for n in at.number_input if n.label.startswith("Commit")).set_value(42_000)
    next(n for n in at.number_input if n.label.startswith("Best case")).set_value(58_000)
    next(b for b in at.button if b.label == "Submit the forecast").click().run()
    assert not at.exception
    assert "Forecast for 2026-Q3 saved for Ann Rep" in shown_text(at.success)
    assert metrics(app(page=FORECAST))["Commit (reps)"] == "$82.0K"


def test_a_bad_forecast_is_refused_on_the_page(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"tab": SUBMIT}, page=FORECAST)
    submit = next(b for b in at.button if b.label == "Submit the forecast")
    submit.click().run()
    assert "Choose whose forecast this is." in shown_text(at.error)  # nobody preselected
    next(s for s in at.selectbox if s.label == "Forecast of").select("P2")
    next(n for n in at.number_input if n.label.startswith("Commit")).set_value(50_000)
    next(n for n in at.number_input if n.label.startswith("Best case")).set_value(40_000)
    next(b for b in at.button if b.label == "Submit the forecast").click().run()
    assert "below commit" in shown_text(at.error)
    assert metrics(app(page=FORECAST))["Commit (reps)"] == "$75.0K"


SAMPLES = PROJECT_ROOT / "data" / "samples"


def test_a_new_user_imports_the_hubspot_sample_from_the_data_page(app_env, tmp_path,
                                                                  new_store):
    path = tmp_path / "empty.duckdb"
    new_store(path)
    app_env(path, DEMO_AS_OF)
    at = app()
    assert "Import deals or goals or leads on the Data page" in shown_text(at.info)
    at = app(page="app_pages/data.py")
    at.file_uploader(key="data_file").upload(
        "hubspot-deals.csv", (SAMPLES / "hubspot-deals.csv").read_bytes(), "text/csv").run()
    assert not at.exception
    assert at.selectbox(key="data_layout_deals").value == "hubspot"
    shown = metrics(at)
    assert (shown["Rows in the file"], shown["New"], shown["Updated"], shown["New people"]) == (
        "36", "36", "0", "5")
    at.button(key="data_confirm").click().run()
    assert not at.exception
    assert "36 new, 0 updated, 0 unchanged, 5 new people" in shown_text(at.success)
    connection = store.open_store(path)  # the app holds it open read-write in this process
    assert connection.execute("select count(*), sum(amount) filter (where status = 'won' and "
                              "close_date >= '2026-10-01') from deals").fetchall() == [
        (36, 312_000.75)]
    connection.close()
    at = app()
    assert metrics(at)["Closed-won"] == "$312K"


def test_the_data_page_says_how_it_read_a_salesforce_classic_export(app_env, tmp_path,
                                                                    new_store):
    path = tmp_path / "empty.duckdb"
    new_store(path)
    app_env(path, DEMO_AS_OF)
    at = app(page="app_pages/data.py")
    export = PROJECT_ROOT / "tests" / "data" / "exports" / "salesforce-classic-bad-stage.csv"
    at.file_uploader(key="data_file").upload(export.name, export.read_bytes(),
                                             "text/csv").run()
    assert not at.exception
    caption = shown_text(at.caption)
    assert ("Read as exported: skipped the 8-line report footer ('Grand Totals (60 records)' "
            "…); Amount: read amounts written like 1,054.00 (thousands separators); Amount: "
            "dropped the currency $") in caption
    # The footer is no problem: only the stages are (Won, Lost, Engaging, Negotiating).
    problems = at.dataframe[0].value
    assert set(problems["column"]) == {"Stage"}


def test_a_file_with_problems_is_listed_on_the_data_page_and_not_offered(app_env, tmp_path,
                                                                        new_store):
    path = tmp_path / "empty.duckdb"
    new_store(path)
    app_env(path, DEMO_AS_OF)
    at = app(page="app_pages/data.py")
    at.selectbox(key="data_table").set_value("people").run()
    at.file_uploader(key="data_file").upload(
        "people.csv", b"person_id,name,team\nP1,Ann,sales\nP1,Bob,pirates\n", "text/csv").run()
    assert "people.csv: 2 problem(s); nothing was written." in shown_text(at.error)
    problems = at.dataframe[1].value  # after the summary by kind
    assert problems[["line", "column", "value"]].values.tolist() == [
        ["3", "person_id", "P1"], ["3", "team", "pirates"]]  # lines as text: "—" for a column
    assert not [button for button in at.button if button.key == "data_confirm"]


@pytest.fixture
def deals_only_path(fixture_path):
    """The fixture company with its deals and nothing else: no leads, campaigns, goals,
    forecasts or deal history."""
    connection = store.open_store(fixture_path)
    connection.execute("update deals set lead_id = null")
    summaries.refresh(connection, ["deals"])  # by hand
    for table in ("leads", "campaigns", "goals", "forecast_submissions", "deal_history"):
        connection.execute(f"delete from {table}")
    summaries.refresh(connection, ["deals", "deal_history"])
    connection.close()
    return fixture_path


@pytest.mark.parametrize("page", ["app_pages/overview.py", FORECAST])
def test_a_deals_only_store_shows_nothing_it_cannot_support(app_env, deals_only_path, page):
    app_env(deals_only_path, AS_OF)
    at = app({"quarter": "2026-Q3"}, page=page)
    assert not at.exception
    shown = metrics(at)
    assert shown["Closed-won"] == "$60.0K"  # D1 10,000 + D2 50,000: deals are enough
    for label in ("Revenue target", "Attainment", "Still to close", "Pipeline coverage",
                  "Commit (reps)", "Best case (reps)"):
        assert shown[label] == "—", label
    if page == FORECAST:
        record = metrics(app({"quarter": "2026-Q3", "tab": TRACK_RECORD}, page=page))
        assert record["Reps' accuracy (mean)"] == record["Model's accuracy (mean)"] == "—"
    else:
        for label in ("MQLs", "SQLs", "Pipeline created from campaign leads",
                      "Closed-won from campaign leads"):
            assert shown[label] == "—", label
    values = " ".join(m.value for m in at.metric)
    assert not re.search(r"(^|\s)0%|None|nan|n/a", values)
    text = shown_text([*at.caption, *at.warning])
    assert "No revenue goal is set for 2026-Q3" in text
    assert "n/a" not in text and "None" not in text


def test_the_sign_off_help_shows_the_signers_name_as_typed(app_env, fixture_path):
    # A person's name is data: in the button's help (markdown) it stays text, never a link.
    connection = store.open_store(fixture_path)
    connection.execute("update people set name = '[Max](http://x.example)' "
                       "where person_id = 'P4'")
    connection.close()
    app_env(fixture_path, AS_OF)
    at = goals_page()
    at.selectbox(key="goals_signer_marketing_2026-Q3").select("[Max](http://x.example)").run()
    assert at.button(key="goals_sign_marketing").help == (
        r"Records \[Max\]\(http\://x\.example\) agreeing to the goals as shown.")
