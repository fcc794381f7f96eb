"""The global filters (quarter, region, segment): which values exist, and reading them from
a URL or the command line without ever failing on a bad one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from relay import sql
from relay.fiscal import Quarter, QuarterError, quarter_range

QUARTERS_AHEAD = 4


def scope_label(region: str | None, segment: str | None) -> str:
    """'EMEA · Enterprise', 'EMEA', or 'company-wide' when neither is set."""
    return " · ".join(part for part in (region, segment) if part) or "company-wide"


@dataclass(frozen=True)
class Filters:
    """The sidebar's global filters. None means all regions / all segments."""

    quarter: Quarter
    region: str | None = None
    segment: str | None = None

    def bounds(self) -> dict[str, Any]:
        return {
            "starts_on": self.quarter.start,
            "ends_before": self.quarter.end,
            "region": self.region,
            "segment": self.segment,
        }

    def as_dict(self) -> dict[str, Any]:
        return {"quarter": str(self.quarter), "region": self.region, "segment": self.segment}

    def scope(self) -> str:
        """The region / segment part alone: 'EMEA · Enterprise', or 'company-wide'."""
        return scope_label(self.region, self.segment)

    def describe(self) -> str:
        return " · ".join([
            str(self.quarter), self.region or "All regions", self.segment or "All segments",
        ])


@dataclass(frozen=True)
class FilterOptions:
    quarters: list[Quarter]
    regions: list[str]
    segments: list[str]
    current: Quarter
    row_counts: dict[str, int]  # rows in each table a page may need


def options(cursor: duckdb.DuckDBPyConnection, today: dt.date, start_month: int) -> FilterOptions:
    current = Quarter.containing(today, start_month)
    span = sql.row(cursor, "data_span")
    first = current.shift(-1)
    if span["first_day"] is not None:
        first = min(first, Quarter.containing(span["first_day"], start_month))
    values = sql.frame(cursor, "filter_values")
    return FilterOptions(
        quarters=quarter_range(first, current.shift(QUARTERS_AHEAD)),
        regions=values.loc[values["kind"] == "region", "value"].tolist(),
        segments=values.loc[values["kind"] == "segment", "value"].tolist(),
        current=current,
        row_counts={table: int(span[table]) for table in (
            "deals", "leads", "campaigns", "goals", "people", "forecast_submissions")},
    )


def resolve(
    quarter: str | None, region: str | None, segment: str | None, available: FilterOptions,
    start_month: int, any_quarter: bool = False,
) -> tuple[Filters, list[str]]:
    """Filters from raw text (URL or command line), and a message for each value that was not
    usable; that value falls back to its default (current quarter, all regions/segments).
    With `any_quarter`, a well-formed quarter outside the store's range is accepted."""
    problems = []
    chosen_quarter = available.current
    if quarter:
        try:
            parsed = Quarter.parse(quarter, start_month)
        except QuarterError as error:
            problems.append(f"Quarter: {error}.")
        else:
            if any_quarter or parsed in available.quarters:
                chosen_quarter = parsed
            else:
                problems.append(
                    f"Quarter: {parsed} is outside the quarters the store covers "
                    f"({available.quarters[0]} to {available.quarters[-1]})."
                )
    chosen_region = _known("Region", region, available.regions, problems)
    chosen_segment = _known("Segment", segment, available.segments, problems)
    return Filters(chosen_quarter, chosen_region, chosen_segment), problems


def _known(kind: str, value: str | None, known: list[str], problems: list[str]) -> str | None:
    if not value:
        return None
    if value in known:
        return value
    listing = ", ".join(known) if known else "none in the store yet"
    problems.append(f"{kind}: {value!r} is not in the data (known: {listing}).")
    return None


# The campaign calendar's own filters: a date range, not a quarter (views/calendar).
@dataclass(frozen=True)
class CalendarFilters:
    starts_on: dt.date
    ends_on: dt.date  # included
    region: str | None = None
    segment: str | None = None
    channels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    preset: str = "custom"

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.starts_on.isoformat(), "to": self.ends_on.isoformat(),
            "region": self.region, "segment": self.segment, "channels": list(self.channels),
            "statuses": list(self.statuses), "owners": list(self.owners),
        }

    def describe(self) -> str:
        parts = [f"{self.starts_on:%d %b %Y} – {self.ends_on:%d %b %Y}",
                 self.region or "All regions", self.segment or "All segments"]
        return " · ".join(parts)
