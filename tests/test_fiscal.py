import datetime as dt

import pytest

from relay.fiscal import Quarter, QuarterError, quarter_range


def test_calendar_quarters_by_default():
    q = Quarter.parse("2026-Q3")
    assert (q.start, q.last_day, q.end) == (
        dt.date(2026, 7, 1), dt.date(2026, 9, 30), dt.date(2026, 10, 1)
    )
    assert Quarter.containing(dt.date(2026, 11, 22)) == Quarter(2026, 4)
    assert str(Quarter(2026, 4).shift(1)) == "2027-Q1"
    assert str(Quarter(2026, 1).shift(-1)) == "2025-Q4"


def test_fiscal_year_named_for_the_year_it_ends():
    # February start: FY2027 runs Feb 2026 - Jan 2027.
    q1 = Quarter.parse("2027-Q1", start_month=2)
    assert q1.start == dt.date(2026, 2, 1)
    assert Quarter.parse("2027-Q4", start_month=2).last_day == dt.date(2027, 1, 31)
    assert Quarter.containing(dt.date(2026, 2, 1), 2) == q1
    assert Quarter.containing(dt.date(2026, 1, 31), 2) == Quarter(2026, 4, 2)
    # October start: FY2027 Q1 is Oct-Dec 2026.
    assert Quarter.containing(dt.date(2026, 11, 22), 10) == Quarter(2027, 1, 10)
    assert Quarter(2027, 1, 10).start == dt.date(2026, 10, 1)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "foo", "", "26-Q1", "2026Q1"])
def test_bad_quarters_are_refused_with_the_expected_form(text):
    with pytest.raises(QuarterError, match="YYYY-Qn"):
        Quarter.parse(text)


def test_elapsed_share_and_ranges():
    q = Quarter(2026, 3)  # 92 days
    assert q.elapsed_share(dt.date(2026, 6, 30)) == 0
    assert q.elapsed_share(dt.date(2026, 7, 1)) == pytest.approx(1 / 92)
    assert q.elapsed_share(dt.date(2026, 9, 30)) == 1
    assert [str(x) for x in quarter_range(Quarter(2025, 4), Quarter(2026, 2))] == [
        "2025-Q4", "2026-Q1", "2026-Q2"
    ]


@pytest.mark.parametrize("text", ["0000-Q1", "9999-Q4", "1899-Q4"])
def test_years_out_of_range_are_refused(text):
    with pytest.raises(QuarterError, match="out of range"):
        Quarter.parse(text)
