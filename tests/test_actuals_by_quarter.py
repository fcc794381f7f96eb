"""The deal figures of several quarters read in one scan (actuals.quarters_deal_actuals, the
overview's trend) equal those read quarter by quarter (quarter_actuals), every breakdown,
on the demo store and the hand-built one, a quarter not yet started included."""

import pytest

from conftest import AS_OF, DEMO_AS_OF
from relay import actuals, settings, store
from relay.fiscal import Quarter, quarter_range


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_quarters_read_together_equal_each_read_alone(which, demo_path, fixture_path):
    path, as_of = (demo_path, DEMO_AS_OF) if which == "demo" else (fixture_path, AS_OF)
    connection = store.open_store(path, read_only=which == "demo")
    try:
        cursor = connection.cursor()
        current = Quarter.containing(as_of, settings.load(cursor).fiscal_year_start_month)
        quarters = quarter_range(current.shift(-7), current.shift(1))
        together = actuals.quarters_deal_actuals(cursor, quarters, as_of)
        assert list(together) == quarters
        for quarter in quarters:
            assert together[quarter] == actuals.quarter_actuals(cursor, quarter, as_of,
                                                                with_leads=False), quarter
        assert len(together[current]) > 1  # breakdowns, not only the company's row
        # The overview's quarter: its deal figures from the trend's, its leads' added.
        assert actuals.with_lead_actuals(cursor, current, as_of, together[current]) == (
            actuals.quarter_actuals(cursor, current, as_of))
    finally:
        connection.close()
