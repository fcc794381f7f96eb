"""Numbers as people read them: $24.6M, 52%, 3.9×, 4,070, 36 h, 62 days; a dash for a number
the data can't give, never "None", "nan" or "n/a"."""

from __future__ import annotations

import math

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}
MISSING = "—"  # shown for a figure that is unknown or not applicable; its reason says why
HOURS_SHOWN_AS_DAYS = 48  # waits of two days or more read in days


def missing(value) -> bool:
    """None, NaN or pandas' NA/NaT: no number to show."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):  # pandas.NA refuses to be a bool
        return True


def symbol(currency: str) -> str:
    return SYMBOLS.get(currency, currency + " ")


def money(value: float | None, currency: str = "USD") -> str:
    """$120.7M, $24.6M, $980K, $60.0K, $742: millions to a tenth (targets are set so),
    thousands to three figures, never cents."""
    if missing(value):
        return MISSING
    sign = "−" if value < 0 else ""
    size = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        scaled = size / threshold
        if scaled >= 0.9995:  # $999,600 reads $1.0M, not $1,000K
            digits = 1 if suffix != "K" or round(scaled, 1) < 100 else 0
            return f"{sign}{symbol(currency)}{scaled:,.{digits}f}{suffix}"
    return f"{sign}{symbol(currency)}{size:,.0f}"


def money_exact(value: float | None, currency: str = "USD") -> str:
    """$3,875,970: the whole amount without cents, for tables where amounts are compared."""
    if missing(value):
        return MISSING
    sign = "−" if value < 0 else ""
    return f"{sign}{symbol(currency)}{abs(value):,.0f}"


def percent(value: float | None) -> str:
    if missing(value):
        return MISSING
    return f"{value:.0%}".replace("-", "−")


def count(value: float | None) -> str:
    return MISSING if missing(value) else f"{value:,.0f}".replace("-", "−")


def ratio(value: float | None) -> str:
    return MISSING if missing(value) else f"{value:.1f}×"


def hours(value: float | None) -> str:
    """Waiting times: hours below two days (36 h), days from there (62 days)."""
    if missing(value):
        return MISSING
    if value < HOURS_SHOWN_AS_DAYS:
        return f"{value:,.1f} h" if value < 10 else f"{value:,.0f} h"
    return f"{value / 24:,.0f} days"


def by_unit(value: float | None, unit: str, currency: str = "USD") -> str:
    if unit == "hours":
        return hours(value)
    if unit == "currency":
        return money(value, currency)
    if unit == "percent":
        return percent(value)
    if unit == "ratio":
        return ratio(value)
    if unit == "text":
        return MISSING if missing(value) else str(value)
    return count(value)


def in_words(value: float | None, unit: str, more: str, less: str, same: str = "no change",
             currency: str = "USD") -> str:
    """A signed number said in words: in_words(−52_600_000, "currency", "more than at the
    start", "less than at the start") is "$52.6M less than at the start"."""
    if missing(value):
        return MISSING
    if round(value, 6) == 0:
        return same
    return f"{by_unit(abs(value), unit, currency)} {more if value > 0 else less}"


def against(value: float | None, unit: str, above: str, below: str, level: str = "level",
            currency: str = "USD") -> str:
    """A gap to a mark said in words, never with a bare sign: against(−980_000, "currency",
    "above target", "short of target") is "$980K above target" when `value` is target −
    actual. `above` reads for a value below zero (the actual is past the mark), `below` for
    one above zero, and `level` for zero."""
    return in_words(None if missing(value) else -value, unit, above, below, level, currency)
