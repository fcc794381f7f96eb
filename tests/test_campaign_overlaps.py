"""The calendar's overlaps counted by sort and sweep (campaign_overlap_counts.sql) and its
first pairs by date: the same as counting and cutting the full list of pairs, as the
calendar did, on the fixture and the demo store, company-wide and for a region."""

import datetime as dt

import pandas as pd
import pytest

from conftest import AS_OF, DEMO_AS_OF, by
from relay import campaigns, sql, store
from relay.views import calendar

WIDE = (dt.date(2024, 1, 1), dt.date(2026, 12, 31))  # every campaign of both stores


def _campaign(name: str, region, segment, first: dt.date, last: dt.date) -> dict:
    return {"name": name, "channel": "Email Nurture", "region": region, "segment": segment,
            "owner_id": "P4", "status": "live", "start_date": first, "end_date": last,
            "budget": "", "actual_cost": "", "expected_leads": "", "description": ""}


def _as_before(cursor, chosen: calendar.CalendarFilters) -> tuple[pd.DataFrame, pd.Series]:
    """Every pair (the self-join) and each campaign's partners counted from them, as the
    calendar computed them before the sweep."""
    ids = sql.frame(cursor, "calendar_campaigns", starts_on=chosen.starts_on,
                    ends_on=chosen.ends_on, region=chosen.region, segment=chosen.segment,
                    channels=[], statuses=[], owners=[])["campaign_id"]
    pairs = sql.frame(cursor, "campaign_overlaps", campaign_ids=ids.tolist(), started_by=None)
    partners = pd.concat([pairs["campaign_a"], pairs["campaign_b"]]).value_counts()
    return pairs, ids.map(partners).fillna(0).astype(int).set_axis(ids)


def _same_as_before(cursor, chosen: calendar.CalendarFilters, today: dt.date) -> int:
    pairs, partners = _as_before(cursor, chosen)
    everything = calendar.build(cursor, chosen, today)
    pd.testing.assert_frame_equal(everything.tables["overlaps"], pairs)
    assert everything.value("overlapping_pairs") == len(pairs)
    assert everything.tables["campaigns"].set_index("campaign_id")["overlaps"].to_dict() == (
        partners.to_dict())
    for listed in (0, 1, 7, 60, len(pairs) + 1):
        first = calendar.build(cursor, chosen, today, pairs_listed=listed)
        # (An empty result comes back with text columns of object dtype.)
        pd.testing.assert_frame_equal(first.tables["overlaps"], pairs.head(listed),
                                      check_dtype=listed > 0)
        assert first.value("overlapping_pairs") == len(pairs)
        pd.testing.assert_frame_equal(first.tables["campaigns"], everything.tables["campaigns"])
    return len(pairs)


def test_overlaps_by_hand(fixture_path):
    connection = store.open_store(fixture_path)
    # C1: NA SMB, 15 June - 15 July (and C2 in September).
    push = by("max", campaigns.create, connection,
              _campaign("push", "NA", "SMB", dt.date(2026, 7, 10), dt.date(2026, 8, 20)))
    everywhere = by("max", campaigns.create, connection,  # starts on C1's last day
                    _campaign("everywhere", None, None, dt.date(2026, 7, 15),
                              dt.date(2026, 7, 16)))
    emea = by("max", campaigns.create, connection,  # all segments, but another region
              _campaign("emea", "EMEA", None, dt.date(2026, 7, 1), dt.date(2026, 7, 31)))
    late = by("max", campaigns.create, connection,  # starts the day after push ends
              _campaign("late", "NA", "SMB", dt.date(2026, 8, 21), dt.date(2026, 8, 30)))
    cursor = connection.cursor()
    ids = ["C1", push, everywhere, emea, late]
    counts = sql.frame(cursor, "campaign_overlap_counts", campaign_ids=ids).set_index(
        "campaign_id")
    assert counts["overlaps"].to_dict() == {"C1": 2, push: 2, everywhere: 3, emea: 1, late: 0}
    # At its first day: the push meets C1; everywhere meets C1 (its last day), the push and
    # emea; C1 and emea start before every campaign they overlap.
    assert counts["running_at_start"].to_dict() == {"C1": 0, push: 1, everywhere: 3,
                                                    emea: 0, late: 0}
    view = calendar.build(cursor, calendar.CalendarFilters(*WIDE), AS_OF, pairs_listed=2)
    assert view.value("overlapping_pairs") == 4
    # C1 and the push from 10 July, then one of the three pairs from 15 July.
    first = view.tables["overlaps"]
    assert sorted(first.iloc[0][["name_a", "name_b"]]) == ["NA SMB webinar", "push"]
    assert first["overlap_from"].tolist() == [pd.Timestamp("2026-07-10"),
                                              pd.Timestamp("2026-07-15")]
    connection.close()


@pytest.mark.parametrize("region", [None, "NA"])
def test_the_sweep_equals_the_self_join_on_the_fixture(fixture_path, region):
    connection = store.open_store(fixture_path)
    by("max", campaigns.create, connection,
       _campaign("push", "NA", "SMB", dt.date(2026, 7, 10), dt.date(2026, 8, 20)))
    by("max", campaigns.create, connection,
       _campaign("everywhere", None, None, dt.date(2026, 7, 15), dt.date(2026, 9, 16)))
    assert _same_as_before(connection.cursor(), calendar.CalendarFilters(*WIDE, region=region),
                           AS_OF)
    connection.close()


@pytest.mark.parametrize("region, segment", [(None, None), ("APAC", None), (None, "SMB")])
def test_the_sweep_equals_the_self_join_on_the_demo(demo_path, region, segment):
    connection = store.open_store(demo_path, read_only=True)
    cursor = connection.cursor()
    chosen = calendar.CalendarFilters(*WIDE, region=region, segment=segment)
    assert _same_as_before(cursor, chosen, DEMO_AS_OF) > 0
    connection.close()
