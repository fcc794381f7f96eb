"""Numbers as people read them: $24.6M, 52%, 3.9×, 4,070."""

from __future__ import annotations

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}
NOT_AVAILABLE = "n/a"


def money(value: float | None, currency: str = "USD") -> str:
    if value is None:
        return NOT_AVAILABLE
    symbol = SYMBOLS.get(currency, currency + " ")
    sign = "−" if value < 0 else ""
    size = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if size >= threshold:
            return f"{sign}{symbol}{size / threshold:,.1f}{suffix}"
    return f"{sign}{symbol}{size:,.0f}"


def percent(value: float | None) -> str:
    return NOT_AVAILABLE if value is None else f"{value:.0%}"


def count(value: float | None) -> str:
    return NOT_AVAILABLE if value is None else f"{value:,.0f}"


def ratio(value: float | None) -> str:
    return NOT_AVAILABLE if value is None else f"{value:.1f}×"


def hours(value: float | None) -> str:
    if value is None:
        return NOT_AVAILABLE
    return f"{value:,.1f} h" if value < 48 else f"{value / 24:,.1f} days"


def by_unit(value: float | None, unit: str, currency: str = "USD") -> str:
    if unit == "hours":
        return hours(value)
    if unit == "currency":
        return money(value, currency)
    if unit == "percent":
        return percent(value)
    if unit == "ratio":
        return ratio(value)
    return count(value)
