"""My week: one sales rep's leads waiting for a first touch (past the SLA first), the
campaigns about to bring them leads, and their forecast call. The page, the weekly digest
and `relay report week` all read this one view."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from relay import contacts, forecasting, holdings, settings, sql
from relay.actuals import ages_until
from relay.filters import Filters, scope_label
from relay.metrics import safe_ratio
from relay.views import calendar
from relay.views.common import NoteKind, View

CAMPAIGN_RANGE = "next_30"  # the calendar's preset: running or starting in the next 30 days
SHARE_LOOK_BACK_DAYS = 90  # a rep's share of a region and segment's leads is measured over it
LEAD_COLUMNS = ["lead_id", "name", "company", "title", "email", "phone", "email_link",
                "phone_link", "mql_at", "age_hours", "source", "campaign", "region", "segment"]


class UnknownRep(ValueError):
    """A rep the store has no sales person for."""


def reps(cursor: duckdb.DuckDBPyConnection, region: str | None = None,
         segment: str | None = None) -> pd.DataFrame:
    """The sales people a week can be shown for, in the region and segment chosen (a person
    without a region or segment covers them all), by name."""
    return sql.frame(cursor, "week_reps", region=region, segment=segment)


def build(cursor: duckdb.DuckDBPyConnection, filters: Filters, as_of: dt.date,
          rep: str | None = None) -> View:
    """The week of `rep` (a person_id) as of `as_of`: their MQLs still waiting whatever
    quarter they became MQLs in, the coming campaigns, and their call for the sidebar's
    quarter."""
    view = View("week", filters, as_of, holdings=holdings.of(cursor))
    people = reps(cursor)
    if rep is None:
        view.note("Pick a rep to see their week.", NoteKind.NOTHING)
        return view
    found = people[people["person_id"] == rep]
    if found.empty:
        raise UnknownRep(f"{rep!r} is not a sales person in the store (there are: "
                         f"{', '.join(people['person_id'])})")
    person = found.iloc[0]
    person_region = _text(person["region"])
    person_segment = _text(person["segment"])
    view.tables["rep"] = found.reset_index(drop=True)
    view.note(f"The week of {person['name']} ({scope_label(person_region, person_segment)}), "
              f"as of {as_of:%d %b %Y}.", NoteKind.SCOPE)
    config = settings.load(cursor)
    _waiting(view, cursor, filters, as_of, person, config.sla_hours)
    _campaigns(view, cursor, as_of, rep, person_region, person_segment,
               config.fiscal_year_start_month)
    _forecast_call(view, cursor, filters, as_of, person)
    return view


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _waiting(view: View, cursor, filters: Filters, as_of: dt.date, person,
             sla_hours: float) -> None:
    """The rep's MQLs waiting for a first touch, whatever quarter they became MQLs in: past
    the SLA, then inside. A rep whose touches aren't recorded has none listed: who of them
    is waiting can't be told (as on Speed to lead)."""
    ends_before = as_of + dt.timedelta(days=1)
    leads = contacts.with_links(sql.frame(
        cursor, "week_waiting_leads", rep=person["person_id"], now=ages_until(as_of),
        sla_hours=sla_hours, ends_before=ends_before))
    view.add("sla_hours", sla_hours)
    # Whether the rep's touches are recorded, judged over the sidebar's quarter as Speed to
    # lead judges it (so the two pages agree), and back to the oldest lead listed.
    since = (filters.quarter.start if leads.empty
             else min(filters.quarter.start, leads["mql_at"].min().date()))
    if not leads.empty and sql.scalar(cursor, "week_rep_untracked", rep=person["person_id"],
                                      starts_on=since, ends_before=ends_before):
        why = (f"No first touch is recorded for {person['name']}'s MQLs, though some moved on "
               "to SAL or further: who of them is waiting can't be told")
        view.tables["waiting_past_sla"] = leads.loc[[], LEAD_COLUMNS]
        view.tables["waiting_within_sla"] = leads.loc[[], LEAD_COLUMNS]
        view.unknown("my_waiting_past_sla", why)
        view.unknown("my_waiting_within_sla", why)
        return
    within = leads["within_sla"].astype(bool)
    view.tables["waiting_past_sla"] = leads.loc[~within, LEAD_COLUMNS].reset_index(drop=True)
    view.tables["waiting_within_sla"] = leads.loc[within, LEAD_COLUMNS].reset_index(drop=True)
    view.add("my_waiting_past_sla", int((~within).sum()))
    view.add("my_waiting_within_sla", int(within.sum()))


def _campaigns(view: View, cursor, as_of: dt.date, rep: str, region: str | None,
               segment: str | None, start_month: int) -> None:
    """The calendar's campaigns of the next 30 days in the rep's region and segment, each
    with the leads it is expected to bring this rep."""
    first, last = calendar.date_range(CAMPAIGN_RANGE, as_of, start_month)
    chosen = calendar.CalendarFilters(first, last, region, segment, preset=CAMPAIGN_RANGE)
    # Only its campaigns: none of its overlapping pairs need listing.
    campaigns = calendar.build(cursor, chosen, as_of, pairs_listed=0).tables["campaigns"]
    shares = sql.frame(cursor, "week_lead_shares", rep=rep,
                       since=as_of - dt.timedelta(days=SHARE_LOOK_BACK_DAYS - 1),
                       until=as_of + dt.timedelta(days=1))
    # Hundreds of campaigns at scale share a few regions and segments: each share once.
    shares_of = {scope: _rep_share(shares, *scope)
                 for scope in {(_text(region), _text(segment)) for region, segment
                               in zip(campaigns["region"], campaigns["segment"], strict=True)}}
    expected_to_rep, share = [], []
    for campaign in campaigns.itertuples():
        rep_share = shares_of[(_text(campaign.region), _text(campaign.segment))]
        share.append(rep_share)
        if campaign.status == "cancelled":
            expected_to_rep.append(0.0)  # it brings no one any lead
        elif rep_share is None or pd.isna(campaign.expected_leads):
            expected_to_rep.append(None)
        else:
            expected_to_rep.append(float(campaign.expected_leads) * rep_share)
    campaigns = campaigns[["campaign_id", "name", "channel", "region", "segment", "status",
                           "start_date", "end_date", "expected_leads"]].copy()
    campaigns["rep_share"] = share
    campaigns["expected_to_rep"] = expected_to_rep
    view.tables["campaigns"] = campaigns.reset_index(drop=True)
    view.tables["campaign_range"] = pd.DataFrame(
        [{"first_day": first, "last_day": last, "region": region, "segment": segment}])
    unknown = [name for name, value in zip(campaigns["name"], expected_to_rep, strict=True)
               if value is None]
    if campaigns.empty:
        view.add("my_expected_campaign_leads", 0)
    elif unknown:
        view.unknown("my_expected_campaign_leads",
                     f"No expected leads or no leads of their region and segment in the last "
                     f"{SHARE_LOOK_BACK_DAYS} days to share out for: {', '.join(unknown)}")
    else:
        view.add("my_expected_campaign_leads", sum(expected_to_rep))


def _rep_share(shares: pd.DataFrame, region: str | None, segment: str | None) -> float | None:
    """The rep's share of the leads of a campaign's region and segment (week_lead_shares); a
    campaign for all regions (segments) shares out all their leads."""
    in_scope = shares
    if region:
        in_scope = in_scope[in_scope["region"] == region]
    if segment:
        in_scope = in_scope[in_scope["segment"] == segment]
    return safe_ratio(int(in_scope["rep_leads"].sum()), int(in_scope["leads"].sum()))


def _forecast_call(view: View, cursor, filters: Filters, as_of: dt.date, person) -> None:
    """The rep's latest call for the quarter made by the end of the as-of day."""
    quarter = filters.quarter
    roster = forecasting.people(cursor)
    called = roster["is_caller"].get(person["person_id"])
    is_caller = bool(called) if called is not None and not pd.isna(called) else False
    before = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    calls = forecasting.latest_calls(forecasting.submissions_for(cursor, [quarter]), quarter,
                                     before)
    call = calls[calls["person_id"] == person["person_id"]]
    view.tables["forecast_call"] = call.reset_index(drop=True)
    if not call.empty:
        view.add("my_commit", call.iloc[0]["commit_amount"])
        view.add("my_best_case", call.iloc[0]["best_case_amount"])
    elif not is_caller:
        why = (f"{person['name']} owns no deals and has made no call, so has no forecast to "
               "call")
        view.not_applicable("my_commit", why)
        view.not_applicable("my_best_case", why)
    else:
        why = f"{person['name']} has not called {quarter} yet"
        view.unknown("my_commit", why)
        view.unknown("my_best_case", why)


def team(people: pd.DataFrame, manager: str) -> pd.DataFrame:
    """The sales people of `people` (reps()) who report to `manager`, by name."""
    return people[people["manager_id"] == manager].reset_index(drop=True)


def weeks_open_to(people: pd.DataFrame, me: str) -> pd.DataFrame:
    """Whose weeks a signed-in rep may open: their own, and a manager their team's (people
    whose manager_id is theirs), never anyone else's."""
    return pd.concat([people[people["person_id"] == me], team(people, me)],
                     ignore_index=True)


def rep_names(people: pd.DataFrame, only: list[str] | None = None) -> dict[str, str]:
    """{how My week's picker and the digest's links name a person (the address's `rep`):
    person_id}: the name, or the name and id when two of `people` share it; only the
    person_ids in `only` when given, in its order (named as among all `people`, so a link's
    name does not depend on the sidebar)."""
    # Plain dicts and lists: a pandas lookup per person was most of a warm My week at 10M
    # leads (a few thousand people).
    counts = people["name"].value_counts()
    counted = dict(zip(counts.index.tolist(), counts.tolist(), strict=True))
    labels = {person: (name if counted[name] == 1 else f"{name} ({person})")
              for person, name in zip(people["person_id"].tolist(), people["name"].tolist(),
                                      strict=True)}
    return {labels[person]: person for person in (labels if only is None else only)}


def rep_label(people: pd.DataFrame, person_id: str) -> str:
    """How My week's picker names `person_id` (see rep_names)."""
    return next(label for label, person in rep_names(people).items() if person == person_id)
