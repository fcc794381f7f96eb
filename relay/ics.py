"""The campaigns of a calendar view as an iCalendar file for Google, Outlook and Apple.

One all-day event per campaign. The UID is the campaign's own id (with the store's), and
SEQUENCE its version, so importing a newer file updates the events instead of adding them
again.
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pandas as pd

from relay import clock
from relay import format as fmt

PRODUCT_ID = "-//Revenue Relay//Campaign calendar//EN"
UID_DOMAIN = "revenue-relay"


def calendar_file(campaigns: pd.DataFrame, view_url: str, currency: str, store_id: str,
                  stamp: dt.datetime | None = None) -> bytes:
    """`store_id` keeps two stores' campaigns apart in a calendar that imported both."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Revenue Relay campaigns")
    stamp = stamp or clock.now().astimezone(dt.UTC)
    for row in campaigns.itertuples():
        event = icalendar.Event()
        event.add("uid", f"{row.campaign_id}.{store_id}@{UID_DOMAIN}")
        event.add("sequence", int(row.version) if pd.notna(row.version) else 1)
        event.add("dtstamp", stamp)
        event.add("dtstart", row.start_date.date())
        # All-day events end on the day after their last day.
        event.add("dtend", row.end_date.date() + dt.timedelta(days=1))
        event.add("summary", row.name)
        event.add("description", _description(row, view_url, currency))
        event.add("url", view_url)
        event.add("categories", [row.channel])
        event.add("transp", "TRANSPARENT")  # a campaign does not make anyone busy
        if row.status == "cancelled":
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()


def _description(row, view_url: str, currency: str) -> str:
    owner = row.owner_name if pd.notna(row.owner_name) else "no owner"
    if pd.notna(row.owner_email):
        owner = f"{owner} <{row.owner_email}>"
    lines = [
        row.description if pd.notna(row.description) else "",
        f"Channel: {row.channel} · {row.region or 'all regions'} · {row.segment or 'all segments'}",
        f"Owner: {owner}",
        f"Status: {row.status}",
        "Expected leads: "
        + fmt.count(row.expected_leads if pd.notna(row.expected_leads) else None),
        f"Budget: {fmt.money(row.budget if pd.notna(row.budget) else None, currency)}",
        f"In Revenue Relay: {view_url}",
    ]
    return "\n".join(line for line in lines if line)
