"""Campaign influence: hand-built journeys of one to five touches, with every model's credits
worked out by hand (docs/design.md, "Campaign influence"), and every deal's credits adding up
to its amount under every model."""

import datetime as dt
from fractions import Fraction

import pandas as pd
import pytest

from conftest import DEMO_AS_OF, by, copy_store
from relay import attribution, settings, store, summaries
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import campaign_performance

MODELS = list(attribution.MODELS)


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


CAMPAIGNS = [  # campaign_id, channel
    ("A", "Paid Social"), ("B", "Events"), ("C", "Email Nurture"), ("D", "Paid Search"),
    ("E", "Webinar"),
]
LEADS = [  # lead_id, campaign_id (its first touch), created_at, mql_at
    ("LX", "A", "2026-07-03 00:00", "2026-07-07 06:00"),
    ("LY", "B", "2026-07-31 00:00", "2026-07-31 00:00"),  # an MQL at once: a demo request
    ("LZ", "A", "2026-08-01 00:00", None),  # never an MQL
    ("L1", "B", "2026-08-01 00:00", "2026-08-01 12:00"),
    ("LN", None, "2026-08-01 00:00", None),  # organic: no touch at all
]
TOUCHES = [  # lead_id, campaign_id, touched_at, kind
    ("LX", "A", "2026-07-03 00:00", "ad click"),
    ("LX", "C", "2026-07-05 00:00", "email click"),
    ("LX", "B", "2026-07-07 00:00", "event attended"),  # the MQL touch
    ("LX", "D", "2026-07-09 00:00", "ad click"),  # the opportunity touch
    ("LX", "E", "2026-07-19 00:00", "webinar attended"),  # after the deal opened
    ("LX", "C", "2026-07-25 00:00", "email click"),  # after it closed: counts nowhere
    ("LY", "B", "2026-07-31 00:00", "event attended"),
    ("LY", "C", "2026-08-02 00:00", "email click"),
    ("LY", "D", "2026-08-04 00:00", "ad click"),
    ("LY", "E", "2026-08-09 00:00", "webinar attended"),  # after the deal opened; still open
    ("LZ", "A", "2026-08-01 00:00", "ad click"),
    ("LZ", "D", "2026-08-03 00:00", "ad click"),
    ("L1", "B", "2026-08-01 00:00", "event attended"),
]
DEALS = [  # deal_id, lead_id, amount, status, created_at, close_date
    ("X", "LX", 15_000, "won", "2026-07-10 00:00", "2026-07-20"),
    ("Y", "LY", 7_000, "open", "2026-08-05 00:00", "2026-09-30"),
    ("Z", "LZ", 4_000, "open", "2026-08-05 00:00", "2026-09-30"),
    ("W1", "L1", 1_000, "open", "2026-08-02 00:00", "2026-09-30"),
    ("N", "LN", 3_000, "open", "2026-08-03 00:00", "2026-09-30"),
    ("S", None, 2_000, "won", "2026-07-01 00:00", "2026-07-30"),  # sourced by sales
]
HALF_LIFE_DAYS = 2  # so that touches two days apart weigh 1, 1/2, 1/4, …
NONE = None  # the credit of "no campaign touch"


def _all(amount) -> dict:
    return dict.fromkeys(MODELS, {NONE: amount})


# Worked out by hand: {(deal, journey): {model: {campaign: credit}}}.
EXPECTED = {
    # Four touches before the deal opened, in three roles: A first, B the MQL touch (the last
    # at or before the MQL date), D the opportunity touch (the last before the deal opened).
    # Time decay: 1, 3, 5 and 7 days before it opened weigh 1, 1/2, 1/4, 1/8 (15/8 in all).
    ("X", "created"): {
        "first_touch": {"A": 15_000},
        "last_touch": {"D": 15_000},
        "linear": {"A": 3_750, "C": 3_750, "B": 3_750, "D": 3_750},
        "u_shaped": {"A": 6_000, "C": 1_500, "B": 1_500, "D": 6_000},
        "w_shaped": {"A": 4_500, "C": 1_500, "B": 4_500, "D": 4_500},
        "time_decay": {"D": 8_000, "B": 4_000, "C": 2_000, "A": 1_000},
    },
    # Before it closed (the end of 20 July), E's webinar too: five touches, C and E without
    # a role share the 10%. Time decay: 2, 12, 14, 16, 18 days before the end of the close
    # day weigh 1, 1/32, 1/64, 1/128, 1/256 (271/256 in all).
    ("X", "closed"): {
        "first_touch": {"A": 15_000},
        "last_touch": {"E": 15_000},
        "linear": {"A": 3_000, "C": 3_000, "B": 3_000, "D": 3_000, "E": 3_000},
        "u_shaped": {"A": 6_000, "C": 1_000, "B": 1_000, "D": 1_000, "E": 6_000},
        "w_shaped": {"A": 4_500, "C": 750, "B": 4_500, "D": 4_500, "E": 750},
        "time_decay": {campaign: 15_000 * Fraction(weight, 271) for campaign, weight in
                       (("E", 256), ("D", 8), ("B", 4), ("C", 2), ("A", 1))},
    },
    # Three touches; the first is also the MQL touch (60%), D the opportunity touch (30%), C
    # holds no role (10%). Time decay: 1, 3, 5 days: 1, 1/2, 1/4 (7/4).
    ("Y", "created"): {
        "first_touch": {"B": 7_000},
        "last_touch": {"D": 7_000},
        "linear": {"B": Fraction(7_000, 3), "C": Fraction(7_000, 3), "D": Fraction(7_000, 3)},
        "u_shaped": {"B": 2_800, "C": 1_400, "D": 2_800},
        "w_shaped": {"B": 4_200, "C": 700, "D": 2_100},
        "time_decay": {"D": 4_000, "C": 2_000, "B": 1_000},
    },
    # Two touches, no MQL date (the lead creation touch, its first, takes the MQL role):
    # A 60% and D 30%, and with no touch left without a role the 10% is spread over both.
    # Time decay: 2 and 4 days: 1 and 1/2.
    ("Z", "created"): {
        "first_touch": {"A": 4_000},
        "last_touch": {"D": 4_000},
        "linear": {"A": 2_000, "D": 2_000},
        "u_shaped": {"A": 2_000, "D": 2_000},
        "w_shaped": {"A": 2_600, "D": 1_400},
        "time_decay": {"D": Fraction(8_000, 3), "A": Fraction(4_000, 3)},
    },
    ("W1", "created"): dict.fromkeys(MODELS, {"B": 1_000}),  # one touch takes it all
    ("N", "created"): _all(3_000),  # a lead that no campaign touched
    ("S", "created"): _all(2_000),  # no lead at all
    ("S", "closed"): _all(2_000),
}


def _fill(connection) -> None:
    connection.executemany(
        "insert into campaigns (campaign_id, name, channel, status, start_date, end_date) "
        "values (?, ?, ?, 'completed', '2026-06-01', '2026-08-31')",
        [(campaign, f"Campaign {campaign}", channel) for campaign, channel in CAMPAIGNS])
    connection.executemany(
        "insert into leads (lead_id, campaign_id, region, segment, created_at, stage, mql_at) "
        "values (?, ?, 'NA', 'SMB', ?, 'opportunity', ?)", LEADS)
    connection.executemany("insert into touches values (?, ?, ?, ?)", TOUCHES)
    connection.executemany(
        "insert into deals values (?, ?, 'Acme', null, 'NA', 'SMB', ?, ?, "
        "case when ? = 'won' then 'closed' else 'pipeline' end, ?, ?)",
        [(deal, lead, amount, status, status, created, close)
         for deal, lead, amount, status, created, close in DEALS])
    connection.execute("insert into settings values ('attribution_half_life_days', ?)",
                       [str(HALF_LIFE_DAYS)])
    summaries.refresh(connection, ["touches", "deals", "leads", "settings"])


@pytest.fixture
def journeys(empty_path):
    connection = store.open_store(empty_path)
    _fill(connection)
    yield connection
    connection.close()


def _credits(connection, relation: str = "deal_credits") -> dict:
    rows = connection.execute(
        f"select deal_id, journey_until, campaign_id, {', '.join(MODELS)} from {relation}"
    ).fetchall()
    found: dict = {}
    for deal, journey, campaign, *credits in rows:
        for model, credit in zip(MODELS, credits, strict=True):
            if credit == 0:  # a touch this model gives nothing
                continue
            by_campaign = found.setdefault((deal, journey), {}).setdefault(model, {})
            by_campaign[campaign] = by_campaign.get(campaign, 0) + credit
    return found


def test_every_model_gives_the_credits_worked_out_by_hand(journeys):
    found = _credits(journeys)
    assert set(found) == set(EXPECTED)
    for key, models in EXPECTED.items():
        for model, credits in models.items():
            assert set(found[key][model]) == set(credits), (key, model)
            for campaign, credit in credits.items():
                assert found[key][model][campaign] == pytest.approx(float(credit)), \
                    (key, model, campaign)


def test_under_every_model_a_deals_credits_add_up_to_its_amount(journeys):
    amounts = {deal: amount for deal, _, amount, *_ in DEALS}
    for (deal, _journey), models in _credits(journeys).items():
        for model, credits in models.items():
            assert sum(credits.values()) == pytest.approx(amounts[deal]), (deal, model)


def test_the_summary_holds_what_its_definition_gives(journeys):
    assert _credits(journeys) == _credits(journeys, "deal_credits_live")


def test_changing_the_half_life_recomputes_time_decay_at_once(journeys):
    # Half-life 2 days → 4: Z's touches 2 and 4 days before it opened weigh 1 and 2^(-1/2).
    by("ann", settings.change, journeys, "attribution_half_life_days", "4")
    found = _credits(journeys)[("Z", "created")]["time_decay"]
    share = 1 / (1 + 2 ** -0.5)
    assert found == pytest.approx({"D": 4_000 * share, "A": 4_000 * (1 - share)})
    with pytest.raises(ValueError, match="attribution_half_life_days must be a number"):
        by("ann", settings.change, journeys, "attribution_half_life_days", "0")


# --- the demo ------------------------------------------------------------------------------


def test_on_the_demo_every_deals_credits_add_up_to_its_amount(demo_path):
    connection = store.open_store(demo_path, read_only=True)
    try:
        sums = ", ".join(f"max(abs(sum_{model} - amount))" for model in MODELS)
        per_model = ", ".join(f"sum({model}) as sum_{model}" for model in MODELS)
        worst, journeys_count, deals_count = connection.execute(
            f"select greatest({sums}), count(*), count(distinct deal_id) from ("
            f"select deal_id, journey_until, any_value(amount)::double as amount, {per_model} "
            "from deal_credits group by all)").fetchone()
        won = connection.execute("select count(*) from deals where status = 'won'").fetchone()
        assert deals_count == connection.execute("select count(*) from deals").fetchone()[0]
        assert journeys_count == deals_count + won[0]  # every deal created, every won closed
        assert worst < 0.01
        # Journeys of several touches, and deals no campaign touched, are both there.
        assert connection.execute("select max(touch_count), count(*) filter (where "
                                  "campaign_id is null) from deal_credits").fetchone()[0] >= 4
    finally:
        connection.close()


def _channel_shares(connection) -> dict:
    """{model: {channel: share of the pipeline credited to campaigns}} on the demo."""
    rows = connection.execute(
        f"select channel, {', '.join(f'sum({model})' for model in MODELS)} from deal_credits "
        "join campaigns using (campaign_id) where journey_until = 'created' group by channel"
    ).fetchall()
    shares = {}
    for index, model in enumerate(MODELS, start=1):
        total = sum(row[index] for row in rows)
        shares[model] = {row[0]: row[index] / total for row in rows}
    return shares


def test_on_the_demo_the_models_move_credit_believably(demo_path):
    """Events make leads MQLs, so W-shaped (whose MQL role they hold) credits them more than
    first touch or linear; a paid search click comes just before the opportunity, so last
    touch credits paid search more than any other model does."""
    connection = store.open_store(demo_path, read_only=True)
    try:
        shares = _channel_shares(connection)
    finally:
        connection.close()
    events = {model: shares[model]["Events"] for model in MODELS}
    assert events["w_shaped"] > 1.5 * events["first_touch"]
    assert events["w_shaped"] > events["linear"]
    search = {model: shares[model]["Paid Search"] for model in MODELS}
    assert max(search, key=search.get) == "last_touch"
    assert search["last_touch"] > 2 * search["first_touch"]


def test_on_the_demo_first_touch_credits_are_the_pipeline_from_each_campaigns_leads(
        demo_path):
    connection = store.open_store(demo_path, read_only=True)
    try:
        cursor = connection.cursor()
        for quarter in (Quarter(2026, 3), Quarter(2026, 4)):
            view = campaign_performance.build(cursor, Filters(quarter), DEMO_AS_OF,
                                              model="first_touch")
            campaigns = view.tables["campaigns"]
            assert campaigns["sourced_pipeline"].sum() > 0
            pd.testing.assert_series_equal(campaigns["credited_pipeline"],
                                           campaigns["sourced_pipeline"], check_names=False)
            pd.testing.assert_series_equal(campaigns["credited_revenue"],
                                           campaigns["sourced_revenue"], check_names=False)
    finally:
        connection.close()


def test_the_campaign_page_gives_the_same_figures_with_and_without_the_summary(demo_path,
                                                                              tmp_path):
    live = copy_store(demo_path, tmp_path / "live.duckdb")
    connection = store.open_store(live)
    summaries.read_live(connection)
    connection.close()
    views = {}
    for path in (demo_path, live):
        connection = store.open_store(path, read_only=True)
        try:
            cursor = connection.cursor()
            views[path] = {
                (model, str(quarter), region): campaign_performance.build(
                    cursor, Filters(quarter, region), DEMO_AS_OF, model=model)
                for model in MODELS for quarter in (Quarter(2026, 3), Quarter(2026, 4))
                for region in (None, "EMEA")}
        finally:
            connection.close()
    for key, view in views[demo_path].items():
        other = views[live][key]
        assert view.figures == other.figures, key
        assert view.notes == other.notes, key
        for name in view.tables:
            pd.testing.assert_frame_equal(view.tables[name], other.tables[name], obj=str(key))
    assert views[demo_path][("w_shaped", "2026-Q3", None)].value(
        "campaign_credited_pipeline") > 0
