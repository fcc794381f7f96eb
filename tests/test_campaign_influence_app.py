"""The campaign page's attribution models (AppTest): the company's model first, a choice
that moves the credited figures and ROI, the models side by side per channel, and a store
without touches saying why the models can't be measured."""

from test_app import app, metrics, shown_text

from conftest import AS_OF, DEMO_AS_OF, copy_store
from relay import format as fmt
from relay import store
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import campaign_performance

PAGE = "app_pages/campaigns.py"
CREDITED = "Pipeline credited to the quarter's campaigns"
WON_CREDITED = "Revenue won credited to the quarter's campaigns"


def _expected(path, model: str) -> dict:
    """The figures the view gives (from the shared demo: the app holds its copy open)."""
    connection = store.open_store(path, read_only=True)
    try:
        view = campaign_performance.build(connection.cursor(), Filters(Quarter(2026, 3)),
                                          DEMO_AS_OF, model=model)
    finally:
        connection.close()
    return {key: fmt.by_unit(view.value(key), view.figures[key].unit, "USD")
            for key in ("campaign_credited_pipeline", "campaign_credited_revenue",
                        "campaign_credited_roi")}


def test_the_model_chosen_moves_the_credited_figures(app_env, demo_path, tmp_path):
    path = copy_store(demo_path, tmp_path / "demo.duckdb")
    app_env(path, DEMO_AS_OF)
    at = app({"quarter": "2026-Q3"}, page=PAGE)
    assert not at.exception
    model = at.selectbox(key="campaigns_model")
    assert model.value == "first_touch"  # the company's model unless it chose one
    shown = metrics(at)
    # First touch is the lead's own campaign: the same as the pipeline from its leads.
    assert shown[CREDITED] == shown["Pipeline from the quarter's campaign leads"]
    model.set_value("w_shaped").run()
    assert not at.exception
    shown = metrics(at)
    expected = _expected(demo_path, "w_shaped")
    assert shown[CREDITED] == expected["campaign_credited_pipeline"]
    assert shown[WON_CREDITED] == expected["campaign_credited_revenue"]
    assert shown["Campaign ROI under the model"] == expected["campaign_credited_roi"]
    assert expected != _expected(demo_path, "first_touch")
    assert "Credited under W-shaped" in shown_text(at.caption) + shown_text(at.info)
    channels, side_by_side = at.dataframe[0].value, at.dataframe[-1].value
    assert set(side_by_side["channel"]) == set(channels["channel"])
    # The side-by-side column of the model chosen is the channels' credited column.
    by_channel = side_by_side.set_index("channel")["pipeline_w_shaped"]
    assert (channels.set_index("channel")["credited_pipeline"] - by_channel).abs().max() < 0.01
    assert (by_channel != side_by_side.set_index("channel")["pipeline_last_touch"]).any()


def test_the_company_model_comes_first(app_env, demo_path, tmp_path):
    path = copy_store(demo_path, tmp_path / "demo.duckdb")
    connection = store.open_store(path)
    connection.execute("insert into settings values ('attribution_model', 'time_decay')")
    connection.close()
    app_env(path, DEMO_AS_OF)
    at = app({"quarter": "2026-Q3"}, page=PAGE)
    assert at.selectbox(key="campaigns_model").value == "time_decay"
    assert metrics(at)[CREDITED] == _expected(demo_path, "time_decay")["campaign_credited_pipeline"]


def test_without_touches_the_page_says_the_models_cant_be_measured(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = app({"quarter": "2026-Q3"}, page=PAGE)
    assert not at.exception
    assert "The attribution models can't be measured: no campaign touches" in (
        shown_text(at.caption) + shown_text(at.info) + shown_text(at.warning))
    shown = metrics(at)
    assert shown[CREDITED] == fmt.MISSING and shown[WON_CREDITED] == fmt.MISSING
    assert shown["Pipeline from the quarter's campaign leads"] != fmt.MISSING
    side_by_side = at.dataframe[-1].value
    assert len(side_by_side) and side_by_side.drop(columns="channel").isna().all().all()
    assert "Credited under" not in shown_text(at.caption)
