"""What every view shares: the shape of a view's result (the global filters are
relay.filters.Filters)."""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from relay.metrics import METRICS


@dataclass(frozen=True)
class Figure:
    key: str
    value: float | None

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

    def add(self, key: str, value: float | None) -> None:
        """Record a figure; NaN (e.g. a mean of nothing) is recorded as not available."""
        number = None if value is None else float(value)
        self.figures[key] = Figure(key, None if number is None or math.isnan(number) else number)

    def value(self, key: str) -> float | None:
        return self.figures[key].value

    def note(self, text: str, kind: NoteKind = NoteKind.CAVEAT) -> None:
        self.notes.append(Note(text, kind))
