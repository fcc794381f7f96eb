"""Planning campaigns from the app: validated, versioned and audited like goals."""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from relay import clock, identity, sql, store, summaries
from relay.identity import Role

STATUSES = ("planned", "live", "completed", "cancelled")
CHANNELS = ("Paid Search", "Paid Social", "Webinar", "Events", "Content Syndication",
            "Email Nurture", "Partner", "ABM")
MAX_NAME = 200
MAX_AMOUNT = 1e15  # budget and cost are DECIMAL(18, 2)
MAX_LEADS = 2**31 - 1  # expected_leads is an INTEGER
MAX_DESCRIPTION = 4000


class CampaignError(ValueError):
    """A campaign that cannot be saved as given; the message lists every problem."""


class CampaignConflict(Exception):
    """Someone else saved the campaign after the user loaded it; nothing was saved."""

    def __init__(self, current: dict[str, Any], seen_version: int):
        self.current = current
        super().__init__(
            f"Campaign {current['name']!r} was changed by {current['updated_by'] or 'someone'} "
            f"after you loaded it (you saw version {seen_version}, it is now version "
            f"{current['version']}). Nothing was saved; reload to see their change."
        )


@dataclass(frozen=True)
class CampaignInput:
    name: str
    channel: str
    region: str | None
    segment: str | None
    owner_id: str | None
    status: str
    start_date: dt.date
    end_date: dt.date
    budget: float | None
    actual_cost: float | None
    expected_leads: int | None
    description: str | None


def _amount(label: str, value: Any, problems: list[str], largest: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        problems.append(f"{label} {value!r} is not a number.")
        return None
    if not math.isfinite(number) or number < 0:
        problems.append(f"{label} cannot be negative or infinite ({value}).")
        return None
    if number > largest:
        problems.append(f"{label} {value} is larger than any real campaign ({largest:,.0f} "
                        "at most).")
        return None
    return number


def validate(fields: dict[str, Any], known_channels: set[str]) -> CampaignInput:
    """The campaign as it will be stored, or CampaignError naming every problem."""
    problems: list[str] = []
    name = str(fields.get("name") or "").strip()
    if not name:
        problems.append("Give the campaign a name.")
    elif len(name) > MAX_NAME:
        problems.append(f"The name is {len(name)} characters long; keep it to {MAX_NAME}.")
    channel = str(fields.get("channel") or "").strip()
    if channel not in known_channels:
        problems.append(f"Unknown channel {channel!r}; use one of: "
                        f"{', '.join(sorted(known_channels))}.")
    status = str(fields.get("status") or "").strip()
    if status not in STATUSES:
        problems.append(f"Unknown status {status!r}; use one of: {', '.join(STATUSES)}.")
    start, end = fields.get("start_date"), fields.get("end_date")
    if not all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in (start, end)):
        problems.append("Give both a start date and an end date (days, without a time).")
    elif end < start:
        problems.append(f"The end date {end:%d %b %Y} is before the start date "
                        f"{start:%d %b %Y}.")
    elif start.year < 1900 or end.year > 9990:
        problems.append("Give dates between the years 1900 and 9990.")
    elif end > three_years_after(start):
        problems.append("A campaign cannot run for more than three years.")
    budget = _amount("Budget", fields.get("budget"), problems, MAX_AMOUNT)
    actual_cost = _amount("Actual cost", fields.get("actual_cost"), problems, MAX_AMOUNT)
    leads = _amount("Expected leads", fields.get("expected_leads"), problems, MAX_LEADS)
    if leads is not None and leads != int(leads):
        problems.append(f"Expected leads must be a whole number, not {leads}.")
    description = (fields.get("description") or "").strip() or None
    if description and len(description) > MAX_DESCRIPTION:
        problems.append(f"The description is longer than {MAX_DESCRIPTION} characters.")
    if problems:
        raise CampaignError(" ".join(problems))
    return CampaignInput(
        name=name, channel=channel, region=fields.get("region") or None,
        segment=fields.get("segment") or None, owner_id=fields.get("owner_id") or None,
        status=status, start_date=start, end_date=end, budget=budget,
        actual_cost=actual_cost, expected_leads=None if leads is None else int(leads),
        description=description,
    )


def three_years_after(day: dt.date) -> dt.date:
    """The same date three years on (28 February for a 29 February start)."""
    try:
        return day.replace(year=day.year + 3)
    except ValueError:
        return day.replace(year=day.year + 3, day=28)


def known_channels(cursor: duckdb.DuckDBPyConnection) -> set[str]:
    choices = sql.records(cursor, "campaign_choices")
    return set(CHANNELS) | {c["value"] for c in choices if c["kind"] == "channel"}


def _write(connection: duckdb.DuckDBPyConnection, work):
    return store.write(connection, work, busy=CampaignError)


def _audit(cursor, actor, action, campaign_id, before, after, at) -> None:
    sql.execute(cursor, "insert_audit", at=at, actor=actor, action=action, entity="campaign",
                entity_id=campaign_id, before=None if before is None else json.dumps(
                    before, default=str), after=json.dumps(after, default=str))


def create(connection: duckdb.DuckDBPyConnection, fields: dict[str, Any]) -> str:
    """Store a new campaign; returns its id."""
    actor = identity.require(Role.PLANNER, "adding a campaign").audit_name
    with sql.cursor(connection) as cursor:
        campaign = validate(fields, known_channels(cursor))
    campaign_id = "C-" + uuid.uuid4().hex[:10].upper()

    def work(cursor) -> str:
        at = clock.now()
        # A new campaign is no lead's yet: what the leads count stays as it is (a rebuild of
        # the rep strengths' months, which read the channels, took 0.8-2 s at 10M leads).
        with summaries.recounted(cursor, ["campaigns"], lead_ids=[]):
            sql.execute(cursor, "insert_campaign", campaign_id=campaign_id, actor=actor,
                        at=at, **asdict(campaign))
        _audit(cursor, actor, "campaign.create", campaign_id, None,
               {**asdict(campaign), "version": 1}, at)
        return campaign_id

    return _write(connection, work)


def update(connection: duckdb.DuckDBPyConnection, campaign_id: str, seen_version: int,
           fields: dict[str, Any]) -> bool:
    """Save changes to a campaign if it is still at the version the planner saw; returns
    False (and writes nothing) when nothing changed."""
    actor = identity.require(Role.PLANNER, "changing a campaign").audit_name
    with sql.cursor(connection) as cursor:
        campaign = validate(fields, known_channels(cursor))

    def work(cursor) -> bool:
        at = clock.now()
        before = sql.row(cursor, "campaign_by_id", campaign_id=campaign_id)
        if before["campaign_id"] is None:
            raise CampaignError(f"Campaign {campaign_id} no longer exists; reload the page.")
        if all(before[key] == value for key, value in asdict(campaign).items()):
            return False
        # A new channel changes what the campaign's leads count in the rep strengths'
        # months; no other change to a campaign changes what any lead counts.
        leads = ([lead_id for (lead_id,) in sql.rows(cursor, "campaign_lead_ids",
                                                      campaign_id=campaign_id)]
                 if before["channel"] != campaign.channel else [])
        with summaries.recounted(cursor, ["campaigns"], leads):
            (updated,) = sql.row(cursor, "update_campaign", campaign_id=campaign_id,
                                 expected_version=seen_version, actor=actor, at=at,
                                 **asdict(campaign)).values()
        if updated != 1:
            raise CampaignConflict(before, seen_version)
        _audit(cursor, actor, "campaign.update", campaign_id,
               {k: before[k] for k in (*asdict(campaign), "version")},
               {**asdict(campaign), "version": seen_version + 1}, at)
        return True

    return _write(connection, work)
