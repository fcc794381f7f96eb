"""Fiscal quarters.

A fiscal year starts in `fiscal_year_start_month` and is named for the calendar year in which
it ends (with a February start, FY2027 runs Feb 2026 - Jan 2027), the convention most CRMs
use. With the default January start, fiscal and calendar quarters are the same.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

_QUARTER_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")


class Phase(enum.Enum):
    """How a quarter stands on a day: it drives what every page shows of it (docs/design.md,
    "The quarter's phase")."""

    CLOSED = "closed"  # over: actuals against target, hit or missed; no pace, no open pipeline
    CURRENT = "current"  # under way: actuals so far, pace and the forecast
    FUTURE = "future"  # not started: the plan only; no attainment, nothing short of target


class QuarterError(ValueError):
    """A quarter string that is not of the form YYYY-Qn."""


@dataclass(frozen=True, order=True)
class Quarter:
    fiscal_year: int
    number: int
    start_month: int = 1

    @classmethod
    def parse(cls, text: str, start_month: int = 1) -> Quarter:
        match = _QUARTER_PATTERN.match(str(text).strip())
        if not match:
            raise QuarterError(
                f"{text!r} is not a fiscal quarter; write it as YYYY-Qn with n from 1 to 4, "
                "e.g. 2026-Q3"
            )
        year = int(match.group(1))
        if not 1900 <= year <= 9998:
            raise QuarterError(f"{text!r} is out of range; give a year from 1900 to 9998")
        return cls(year, int(match.group(2)), start_month)

    @classmethod
    def containing(cls, day: dt.date, start_month: int = 1) -> Quarter:
        months_into_year = (day.month - start_month) % 12
        # The fiscal year is named for the calendar year it ends in.
        fiscal_year = day.year + (1 if start_month != 1 and day.month >= start_month else 0)
        return cls(fiscal_year, months_into_year // 3 + 1, start_month)

    @property
    def start(self) -> dt.date:
        """First day of the quarter."""
        first_year = self.fiscal_year - (1 if self.start_month != 1 else 0)
        month_index = self.start_month - 1 + (self.number - 1) * 3
        return dt.date(first_year + month_index // 12, month_index % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        """Day after the last day of the quarter (exclusive bound, as the queries use it)."""
        return self.shift(1).start

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def shift(self, quarters: int) -> Quarter:
        index = self.fiscal_year * 4 + (self.number - 1) + quarters
        return Quarter(index // 4, index % 4 + 1, self.start_month)

    def elapsed_share(self, today: dt.date) -> float:
        """Share of the quarter's days that have passed by the end of `today` (0 to 1)."""
        if today < self.start:
            return 0.0
        if today >= self.last_day:
            return 1.0
        return ((today - self.start).days + 1) / self.days

    def phase(self, today: dt.date) -> Phase:
        """Closed once its last day is over, future before its first, current between."""
        if today >= self.end:
            return Phase.CLOSED
        return Phase.CURRENT if today >= self.start else Phase.FUTURE

    def __str__(self) -> str:
        return f"{self.fiscal_year}-Q{self.number}"


def quarter_range(first: Quarter, last: Quarter) -> list[Quarter]:
    quarters = []
    current = first
    while current <= last:
        quarters.append(current)
        current = current.shift(1)
    return quarters
