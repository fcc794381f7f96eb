"""AppTest of every page: default filters, filters from the URL and the sidebar, bad input,
and the figures on screen equal to `relay report` for the same filters."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from relay import cli, format as fmt, store

from conftest import AS_OF, DEMO_AS_OF, PROJECT_ROOT

PAGES = ["app_pages/overview.py"]
TIMEOUT = 60


def app(query: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(page).run() if page else at


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
    assert shown["Revenue target"] == "$200.0K"
    assert shown["Closed-won"] == "$60.0K"
    assert shown["Attainment"] == "30%"
    attainment = next(m for m in at.metric if m.label == "Attainment")
    assert attainment.delta == "50% of the quarter gone"
    assert shown["Still to close"] == "$140.0K"
    assert shown["Commit (reps)"] == "$75.0K"
    assert shown["Best case (reps)"] == "$110.0K"
    assert shown["Weighted pipeline"] == "$46.7K"
    assert shown["Model forecast"] == "$106.7K"
    assert shown["Pipeline coverage"] == "0.5×"
    assert shown["MQLs"] == "2"
    assert shown["SQLs"] == "2"
    assert shown["Marketing-sourced pipeline"] == "9%"
    assert shown["Marketing-sourced revenue"] == "17%"
    assert len(at.get("plotly_chart")) == 2
    # Every figure's definition is one hover away.
    assert all(m.help for m in at.metric)


def test_overview_region_from_the_url(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2026-Q3", "region": "NA"})
    shown = metrics(at)
    assert shown["Revenue target"] == "$120.0K"
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
    assert shown["Revenue target"] == "n/a"
    assert any("No revenue goal is set for 2026-Q3 · EMEA · Enterprise" in w.value
               for w in at.warning)
    at.sidebar.selectbox(key="quarter").select("2026-Q2").run()
    assert metrics(at)["Closed-won"] == "$0"


def test_unknown_values_in_the_url_warn_and_fall_back(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2026-Q9", "region": "Mars", "segment": "<b>Huge</b>"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "'2026-Q9' is not a fiscal quarter" in warnings
    assert "'Mars' is not in the data" in warnings
    assert "'<b>Huge</b>' is not in the data" in warnings
    assert metrics(at)["Revenue target"] == "$200.0K"  # current quarter, company-wide


def test_a_quarter_outside_the_store_warns(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2019-Q1"})
    assert any("2019-Q1 is outside the quarters the store covers" in w.value
               for w in at.warning)


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
    assert len(shown) >= 12


def test_an_empty_store_says_what_to_do(app_env, tmp_path):
    path = tmp_path / "empty.duckdb"
    store.create(path).close()
    app_env(path, AS_OF)
    at = app()
    assert not at.exception
    assert any("The store is empty" in i.value for i in at.info)
    assert not at.metric


def test_a_corrupt_store_is_an_error_message_not_a_traceback(app_env, tmp_path):
    path = tmp_path / "corrupt.duckdb"
    path.write_bytes(b"not a database" * 100)
    app_env(path, AS_OF)
    at = app()
    assert not at.exception
    assert "not a store" in at.error[0].value
    assert path.read_bytes() == b"not a database" * 100


def test_a_missing_store_is_an_error_message(app_env, tmp_path):
    app_env(tmp_path / "gone.duckdb", AS_OF)
    at = app()
    assert not at.exception
    assert "There is no store" in at.error[0].value
    assert not (tmp_path / "gone.duckdb").exists()


def test_the_demo_store_says_it_is_demo_data_with_figures(app_env, demo_path):
    app_env(demo_path, DEMO_AS_OF)
    at = app()
    assert not at.exception
    assert "Demo data" in at.info[0].value
    shown = metrics(at)
    assert shown["Revenue target"].startswith("$") and shown["Revenue target"].endswith("M")
    assert len(at.get("plotly_chart")) == 2
