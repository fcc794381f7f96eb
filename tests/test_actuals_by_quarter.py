"""The overview's trend: the closed-won of several quarters read in one query
(actuals.closed_won_by_quarter) equals what quarter_actuals counts quarter by quarter, on
the demo store and the hand-built one, company-wide and by region and segment, a quarter
not yet started included. And the sourced_deals summary kept lead by lead."""

import pytest

from conftest import AS_OF, DEMO_AS_OF
from relay import actuals, settings, store, summaries
from relay.fiscal import Quarter, quarter_range

SCOPES = [(None, None), ("APAC", None), ("NA", None), (None, "Enterprise"), ("EMEA", "SMB")]


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_quarters_read_together_equal_each_read_alone(which, demo_path, fixture_path):
    path, as_of = (demo_path, DEMO_AS_OF) if which == "demo" else (fixture_path, AS_OF)
    connection = store.open_store(path, read_only=which == "demo")
    try:
        cursor = connection.cursor()
        current = Quarter.containing(as_of, settings.load(cursor).fiscal_year_start_month)
        quarters = quarter_range(current.shift(-7), current.shift(1))
        alone = {quarter: actuals.quarter_actuals(cursor, quarter, as_of, with_leads=False)
                 for quarter in quarters}
        for region, segment in SCOPES:
            together = actuals.closed_won_by_quarter(cursor, quarters, as_of, region, segment)
            assert list(together) == quarters
            assert together == {
                quarter: actuals.figures_for(alone[quarter], region, segment)["closed_won"]
                for quarter in quarters}, (region, segment)
        assert actuals.closed_won_by_quarter(cursor, quarters, as_of, None, None)[current] > 0
    finally:
        connection.close()


def test_a_leads_campaign_changed_moves_its_deal_in_or_out_of_the_sourced_deals(fixture_path):
    """The sourced_deals summary refreshed for the leads a write names (their deals alone)
    follows a lead's campaign, and equals its definition."""
    connection = store.open_store(fixture_path)
    try:
        deal_id, lead_id, campaign_id = connection.execute(
            "select deal_id, lead_id, campaign_id from deals join leads using (lead_id) "
            "order by deal_id limit 1").fetchone()
        other = connection.execute("select min(campaign_id) from campaigns").fetchone()[0]
        flipped = None if campaign_id is not None else other
        was_sourced = _sourced(connection, deal_id)
        assert was_sourced == (campaign_id is not None)
        connection.execute("update leads set campaign_id = ? where lead_id = ?",
                           [flipped, lead_id])
        summaries.refresh(connection, ["leads"], lead_ids=[lead_id])
        assert _sourced(connection, deal_id) is not was_sourced
        assert (connection.execute("select * from sourced_deals order by all").fetchall()
                == connection.execute("select * from sourced_deals_live order by all")
                .fetchall())
    finally:
        connection.close()


def _sourced(connection, deal_id: str) -> bool:
    return connection.execute("select count(*) from sourced_deals where deal_id = ?",
                              [deal_id]).fetchone()[0] == 1
