"""What every view shares: the shape of a view's result (the global filters are
relay.filters.Filters)."""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from relay.fiscal import Phase, Quarter
from relay.holdings import EVERYTHING, Holdings, why_unknown
from relay.metrics import METRICS


class State(enum.Enum):
    """What a figure is: a number, or why there is none. Pages draw the last two as a dash
    with the reason, never as 0, −100% or a breach."""

    KNOWN = "known"
    UNKNOWN = "unknown"  # the data can't support it (the reason says what would)
    NOT_APPLICABLE = "not_applicable"  # it has no meaning here (a future quarter's attainment)


@dataclass(frozen=True)
class Figure:
    key: str
    value: float | None
    state: State = State.KNOWN
    reason: str = ""  # why it is unknown or not applicable

    @property
    def known(self) -> bool:
        return self.state is State.KNOWN

    @property
    def label(self) -> str:
        return METRICS[self.key].label

    @property
    def unit(self) -> str:
        return METRICS[self.key].unit

    @property
    def definition(self) -> str:
        return METRICS[self.key].definition


class NoteKind(enum.Enum):
    """What a view's note tells the reader: every page draws each kind the same way."""

    NOTHING = "nothing"  # nothing matches the choice, so there is nothing to show
    CAVEAT = "caveat"  # the figures are right, but read them with this in mind
    SCOPE = "scope"  # what the figures cover


@dataclass(frozen=True)
class Note:
    text: str
    kind: NoteKind = NoteKind.CAVEAT

    def __str__(self) -> str:
        return self.text


@dataclass
class View:
    name: str
    filters: Any  # Filters, or the view's own (e.g. the calendar's date range)
    as_of: dt.date
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    # What is wrong with the input (e.g. a what-if out of range): the figures that depend
    # on it are left out, and the page shows these beside the input to fix.
    problems: list[str] = field(default_factory=list)
    # What the store holds (relay.holdings.of(cursor)): a figure whose data it lacks is
    # recorded as unknown whatever was computed for it.
    holdings: Holdings = EVERYTHING

    def add(self, key: str, value: float | None, why: str = "") -> None:
        """Record a figure. It is unknown when the store lacks what it needs (the reason
        says what), or when there is no value (None or NaN, e.g. a ratio over nothing):
        then `why` says why; the page shows it in place of a number."""
        metric = METRICS[key]
        lacking = self.holdings.lacking(metric.needs)
        number = None if value is None else float(value)
        if lacking is not None:
            self.unknown(key, why_unknown(lacking))
        elif number is None or math.isnan(number):
            self.unknown(key, why or "Not enough data.")
        else:
            self.figures[key] = Figure(key, number)

    def unknown(self, key: str, why: str) -> None:
        """A figure the data can't support, and why."""
        self.figures[key] = Figure(key, None, State.UNKNOWN, why)

    def not_applicable(self, key: str, why: str) -> None:
        """A figure that has no meaning here (e.g. attainment before the quarter starts)."""
        self.figures[key] = Figure(key, None, State.NOT_APPLICABLE, why)

    def value(self, key: str) -> float | None:
        """The figure's number; None when it is unknown or not applicable."""
        return self.figures[key].value

    def note(self, text: str, kind: NoteKind = NoteKind.CAVEAT) -> None:
        self.notes.append(Note(text, kind))

    def add_quarter_elapsed(self, quarter: Quarter, as_of: dt.date) -> None:
        """The share of the quarter gone: pace only means something while the quarter runs
        (the one rule for every page that shows it)."""
        phase = quarter.phase(as_of)
        if phase is Phase.CURRENT:
            self.add("quarter_elapsed", quarter.elapsed_share(as_of))
        elif phase is Phase.CLOSED:
            self.not_applicable("quarter_elapsed", f"{quarter} is over: there is no pace "
                                                   "to keep, only the result.")
        else:
            self.not_applicable("quarter_elapsed", f"{quarter} has not started.")
