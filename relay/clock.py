"""What "today" is for the dashboard: the real date, or $RELAY_TODAY (YYYY-MM-DD) to pin it,
e.g. to show a demo store as of the day it was built, or in tests."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    pinned = os.environ.get("RELAY_TODAY")
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError as error:
        raise ValueError(f"RELAY_TODAY={pinned!r} is not a date; write it as YYYY-MM-DD") from error


def now() -> dt.datetime:
    """The current moment; with $RELAY_TODAY pinned, that day at the current time of day, so
    that what someone does now belongs to the day the dashboard is showing."""
    moment = dt.datetime.now()
    return dt.datetime.combine(today(), moment.time())
