"""A believable demo company, generated deterministically from a seed and an as-of date.

Northwind Analytics sells a B2B product in four regions and three segments. Marketing runs a
few hundred campaigns over ten fiscal quarters (eight closed, the current one, two planned);
leads flow through the funnel with stage conversion that depends on channel and segment, SDRs
touch most MQLs within a day (slower over weekends), AEs work deals whose categories move as
they near close, reps submit a weekly forecast with a personal bias, and RevOps sets joint
goals each quarter. Volumes grow quarter on quarter with a Q4 peak and a Q3 dip.

Everything is generated with numpy arrays, never a Python loop per row, so `--leads` scales to
ten million. Nothing after `as_of` exists in the store: the simulation runs past it (so that
forecasts can be biased against what really happens) and is then cut at `as_of`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from relay import clock, sql, store, summaries
from relay.fiscal import Quarter, quarter_range

DEFAULT_LEADS = 150_000
DEFAULT_SEED = 7
COMPANY_DOMAIN = "northwind.example"

REGIONS = np.array(["NA", "EMEA", "APAC", "LATAM"])
REGION_WEIGHTS = np.array([0.45, 0.30, 0.15, 0.10])
SEGMENTS = np.array(["SMB", "Mid-Market", "Enterprise"])
SEGMENT_WEIGHTS = np.array([0.50, 0.32, 0.18])

# channel: share of campaigns, median budget, median expected leads, min/max days,
# inquiry->MQL rate
CHANNELS = {
    "Paid Search": (0.18, 25_000, 900, 45, 90, 0.16),
    "Paid Social": (0.16, 20_000, 1_100, 30, 60, 0.11),
    "Webinar": (0.16, 6_000, 350, 1, 1, 0.24),
    "Events": (0.10, 60_000, 450, 1, 3, 0.26),
    "Content Syndication": (0.12, 15_000, 800, 30, 45, 0.13),
    "Email Nurture": (0.12, 3_000, 600, 14, 30, 0.17),
    "Partner": (0.08, 10_000, 250, 30, 60, 0.25),
    "ABM": (0.08, 40_000, 150, 60, 90, 0.33),
}
CHANNEL_NAMES = np.array(list(CHANNELS))
ORGANIC_SOURCES = np.array(["Organic Search", "Direct", "Referral", "Review Sites"])
ORGANIC_WEIGHTS = np.array([0.45, 0.25, 0.18, 0.12])
ORGANIC_MQL_RATES = np.array([0.20, 0.15, 0.32, 0.22])
# Leads keep arriving for a while after a campaign's last day (replays, follow-ups).
LEAD_TAIL_DAYS = 10
CAMPAIGN_SHARE_OF_LEADS = 0.72
SEASON = {1: 0.95, 2: 1.0, 3: 0.88, 4: 1.17}
GROWTH_PER_QUARTER = 1.04

DISQUALIFY_REASONS = np.array([
    "Not a fit", "Student / job seeker", "Bad contact data", "Competitor", "Duplicate",
    "No budget", "No project / timing", "No response",
])
# Why marketing drops inquiries, why SDRs reject MQLs, why AEs reject SALs: (reason, weight)
INQUIRY_REJECTIONS = ([1, 2, 3], [0.5, 0.3, 0.2])
MQL_REJECTIONS = ([0, 1, 2, 3, 4], [0.38, 0.17, 0.2, 0.1, 0.15])
SAL_REJECTIONS = ([5, 6, 0, 7], [0.32, 0.3, 0.18, 0.2])

DEAL_SIZE = {"SMB": 14_000, "Mid-Market": 48_000, "Enterprise": 160_000}
CYCLE_DAYS = {"SMB": 35, "Mid-Market": 70, "Enterprise": 120}
WIN_RATE = {"SMB": 0.32, "Mid-Market": 0.27, "Enterprise": 0.24}

FIRST_NAMES = (
    "Ava Ben Chloe Daniel Elena Farid Grace Hiro Isabel Jonas Kavya Liam Maya Noah Olivia "
    "Pedro Quinn Rosa Samir Tara Umar Vera Wei Ximena Yusuf Zoe Aiko Bruno Carmen Dev Emeka "
    "Freya Gabriel Hana Ivan Julia Kofi Lena Mateo Nadia Oscar Priya Rafael Sofia Tomas Uma "
    "Victor Wanda Yara Zain Amara Boris Clara Diego Esther Felix Gita Hugo Ines Jamal"
).split()
LAST_NAMES = (
    "Adams Baker Castillo Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Lopez "
    "Moreau Nakamura Okafor Patel Quintero Rossi Schmidt Tanaka Urquhart Varga Weber Xu "
    "Yilmaz Zhang Andersson Bianchi Costa Dimitrov Evans Fernandes Gupta Hughes Ivanova "
    "Johansson Kim Larsen Martins Nguyen O'Brien Petrov Reyes Silva Takahashi Ueda Vasquez "
    "Walsh Young Zimmermann Alvarez Bauer Chen Diaz Edwards Fontaine Green Hoffmann Ibrahim"
).split()
LEAD_TITLES = (
    "Head of Revenue Operations|VP Sales|Sales Operations Manager|CFO|Finance Director|"
    "Marketing Operations Lead|Chief Revenue Officer|Director of Demand Generation|"
    "Business Analyst|IT Director|Head of Growth|Operations Manager"
).split("|")
ACCOUNT_PREFIXES = (
    "Acme Apex Bright Cedar Clear Copper Crest Delta Echo Ember Falcon Granite Harbor Helix "
    "Iron Juniper Keystone Lumen Maple Meridian Nimbus North Nova Orbit Pine Prism Quartz "
    "Redwood Silver Summit Terra Tidal Union Vertex Willow Zenith"
).split()
ACCOUNT_SUFFIXES = (
    "Analytics Bank Biotech Capital Systems Foods Freight Health Insurance Labs Logistics "
    "Manufacturing Media Motors Networks Pharma Retail Robotics Software Telecom Travel "
    "Utilities Ventures"
).split()
CAMPAIGN_THEMES = (
    "Forecasting with confidence|Pipeline health check|The revenue ops playbook|"
    "From MQL to closed-won|Planning season kickoff|Customer stories|Data-driven territory "
    "planning|Product launch|Year-end budget|Benchmark report|Executive roundtable|"
    "Hands-on workshop|Analyst briefing|Migration offer|Partner summit"
).split("|")


@dataclass(frozen=True)
class DemoSpec:
    seed: int = DEFAULT_SEED
    as_of: dt.date = field(default_factory=clock.today)
    leads: int = DEFAULT_LEADS

    @property
    def scale(self) -> float:
        return self.leads / DEFAULT_LEADS


def build(path: Path, spec: DemoSpec) -> dict[str, int]:
    """Create a new store at `path` holding the demo company; returns row counts per table.

    The store is written to a temporary file next to `path` and moved into place only when
    complete, so an interrupted build never leaves a half-made store behind.
    """
    path = Path(path)
    if path.exists():
        raise store.StoreError(f"{path} already exists; it was left as it is.")
    partial = path.with_name(path.name + ".building")
    partial.unlink(missing_ok=True)
    partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
    try:
        connection = store.create(partial)
        try:
            frames = generate(spec)
            _write(connection, frames, spec)
            counts = {
                table: sql.scalar(connection, "count_rows", identifiers={"table": table})
                for table in (
                    "people", "campaigns", "leads", "deals", "deal_history", "goals",
                    "forecast_submissions", "touches",
                )
            }
            sql.execute(connection, "store_checkpoint")
        finally:
            connection.close()
    except BaseException:  # e.g. a full disk: no half-made file is left behind
        partial.unlink(missing_ok=True)
        partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
        raise
    partial.rename(path)
    return counts


# What demo_insert_leads spells each lead's contact from.
_CONTACT_LISTS = {"first_names": list(FIRST_NAMES), "last_names": list(LAST_NAMES),
                  "company_prefixes": list(ACCOUNT_PREFIXES),
                  "company_suffixes": list(ACCOUNT_SUFFIXES), "titles": list(LEAD_TITLES)}


def _write(connection: duckdb.DuckDBPyConnection, frames: dict, spec: DemoSpec) -> None:
    connection.begin()
    for name, frame in frames.items():
        connection.register(f"demo_{name}", frame)
    tables = ("people", "campaigns", "leads", "deal_history", "deals", "goals",
              "forecast_submissions")
    for name in tables:
        sql.execute(connection, f"demo_insert_{name}",
                    **(_CONTACT_LISTS if name == "leads" else {}))
    # Journeys over what is written, from a random stream of their own (demo_insert_touches).
    sql.execute(connection, "demo_insert_touches", seed=spec.seed,
                as_of=dt.datetime.combine(spec.as_of, dt.time(23, 59, 59)))
    tables += ("touches",)
    summaries.refresh(connection, tables)
    _sign_closed_quarters(connection, frames, spec)
    settings = {
        "is_demo": "true",
        "demo_seed": str(spec.seed),
        "demo_as_of": spec.as_of.isoformat(),
        "demo_leads": str(spec.leads),
        "currency": "USD",
        "fiscal_year_start_month": "1",
        "sla_hours": "24",
        # The same demo is the same store: its calendar files may update each other's events.
        "store_id": f"demo-{spec.seed}-{spec.as_of:%Y%m%d}",
    }
    for key, value in settings.items():
        sql.execute(connection, "upsert_setting", key=key, value=value)
    sql.execute(
        connection,
        "insert_audit",
        at=dt.datetime.combine(spec.as_of, dt.time(6, 0)),
        actor="relay demo",
        action="demo.generate",
        entity="store",
        entity_id=None,
        before=None,
        after=json.dumps({"seed": spec.seed, "as_of": spec.as_of.isoformat(), "leads": spec.leads}),
    )
    connection.commit()
    for name in frames:
        connection.unregister(f"demo_{name}")


# The demo's joint plans were agreed in the room: its demand generation lead for marketing,
# the first regional sales director for sales, a few days before each closed quarter began.
DEMO_SIGNERS = {"marketing": "Demand Generation Lead", "sales": "Regional Sales Director"}


def _sign_closed_quarters(connection: duckdb.DuckDBPyConnection, frames: dict,
                          spec: DemoSpec) -> None:
    people = frames["people"]
    current = Quarter.containing(spec.as_of)
    for quarter in sorted(set(frames["goals"]["quarter"])):
        parsed = Quarter.parse(quarter)
        if parsed >= current:
            continue
        signed_at = dt.datetime.combine(parsed.start - dt.timedelta(days=4), dt.time(11, 0))
        for minutes, (side, title) in enumerate(DEMO_SIGNERS.items()):
            name = people.loc[people["title"] == title, "name"].iloc[0]
            # Goals the app never changed are at revision 0 (signoff_state).
            sql.execute(connection, "insert_signoff", quarter=quarter, side=side,
                        signed_by=str(name), revision=0,
                        signed_at=signed_at + dt.timedelta(minutes=minutes))
        sql.execute(connection, "keep_signed_goals", quarter=quarter, revision=0,
                    at=signed_at)


# --- generation -----------------------------------------------------------------------------


def generate(spec: DemoSpec) -> dict[str, pd.DataFrame]:
    """All demo tables as DataFrames with numeric codes; the demo_insert_* queries name them."""
    rng = np.random.default_rng(spec.seed)
    timeline = _Timeline(spec.as_of)
    people = _people(rng, spec.scale)
    campaigns = _campaigns(rng, spec, timeline, people)
    leads = _leads(rng, spec, timeline, campaigns, people)
    deals, history = _deals(rng, spec, timeline, leads, people)
    submissions = _forecast_submissions(rng, spec, timeline, deals, people)
    goals = _goals(rng, spec, timeline, leads, deals, people)
    return {
        "people": people.frame,
        "campaigns": campaigns.pop("frame"),
        "leads": leads.pop("frame"),
        "deals": deals.pop("frame"),
        "deal_history": history,
        "forecast_submissions": submissions,
        "goals": goals,
    }


class _Timeline:
    """Eight closed quarters with goals and forecasts, the current one (holding as_of) and
    two planned; activity starts two quarters earlier so that the first closed quarter has
    the deals a running business has, not a ramp from zero."""

    def __init__(self, as_of: dt.date):
        self.as_of = as_of
        self.current = Quarter.containing(as_of)
        self.quarters = quarter_range(self.current.shift(-10), self.current.shift(2))
        self.reported = quarter_range(self.current.shift(-8), self.current)
        self.start = self.quarters[0].start
        self.as_of_seconds = _seconds(dt.datetime.combine(as_of, dt.time(23, 59, 59)))

    def activity(self, day_seconds: np.ndarray) -> np.ndarray:
        """Relative volume of business on each day: growth, season and weekdays."""
        days = (day_seconds - _seconds(self.start)) / 86_400
        dates = pd.to_datetime(day_seconds, unit="s")
        season = np.array([SEASON[(month - 1) // 3 + 1] for month in range(1, 13)])[
            dates.month.to_numpy() - 1
        ]
        weekday = np.where(dates.day_of_week.to_numpy() >= 5, 0.25, 1.0)
        return GROWTH_PER_QUARTER ** (days / 91) * season * weekday


def _seconds(moment: dt.date | dt.datetime) -> float:
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    return (moment - dt.datetime(1970, 1, 1)).total_seconds()


def _pick(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


@dataclass
class _People:
    frame: pd.DataFrame
    sdrs_by_region: list[np.ndarray]
    aes_by_region_segment: dict[tuple[int, int], np.ndarray]
    marketers_by_region: list[np.ndarray]
    central_marketers: np.ndarray
    revops: np.ndarray


def _people(rng: np.random.Generator, scale: float) -> _People:
    rows: list[tuple] = []  # (title, team, region code, segment code, manager row)

    def add(title, team, region=-1, segment=-1, manager=-1) -> int:
        rows.append((title, team, region, segment, manager))
        return len(rows) - 1

    ceo = add("Chief Executive Officer", "exec")
    cro = add("Chief Revenue Officer", "exec", manager=ceo)
    cmo = add("Chief Marketing Officer", "exec", manager=ceo)
    revops = [add("RevOps Manager", "revops", manager=cro)]
    revops.append(add("RevOps Analyst", "revops", manager=revops[0]))
    central = [
        add(title, "marketing", manager=cmo)
        for title in (
            "Demand Generation Lead", "Marketing Operations Manager",
            "Content Marketing Manager", "Digital Marketing Manager",
        )
    ]
    sdrs_by_region, marketers_by_region = [], []
    aes: dict[tuple[int, int], np.ndarray] = {}
    for region, region_weight in enumerate(REGION_WEIGHTS):
        marketing_lead = add("Regional Marketing Manager", "marketing", region, manager=cmo)
        field = [
            add("Field Marketing Manager", "marketing", region, manager=marketing_lead)
            for _ in range(max(1, round(scale * region_weight * 4)))
        ]
        marketers_by_region.append(np.array([marketing_lead, *field]))
        director = add("Regional Sales Director", "sales", region, manager=cro)
        sdrs_by_region.append(np.array([
            add("Sales Development Rep", "sales", region, manager=director)
            for _ in range(max(1, round(10 * scale * region_weight)))
        ]))
        for segment, segment_weight in enumerate(SEGMENT_WEIGHTS):
            aes[region, segment] = np.array([
                add("Account Executive", "sales", region, segment, manager=director)
                for _ in range(max(1, round(24 * scale * region_weight * segment_weight)))
            ])

    count = len(rows)
    name_order = rng.permutation(len(FIRST_NAMES) * len(LAST_NAMES))
    repeats = count // len(name_order) + 1
    first = np.array(FIRST_NAMES)[np.tile(name_order, repeats)[:count] % len(FIRST_NAMES)]
    last = np.array(LAST_NAMES)[np.tile(name_order, repeats)[:count] // len(FIRST_NAMES)]
    columns = zip(*rows, strict=True)
    titles, teams, regions, segments, managers = (np.array(column) for column in columns)
    person_ids = np.array([f"P{index:05d}" for index in range(1, count + 1)])
    names = np.char.add(np.char.add(first, " "), last)
    # Repeated names (only at large scales) get a numbered email to stay unique.
    emails = np.char.lower(np.char.replace(np.char.add(np.char.add(first, "."), last), "'", ""))
    emails = np.char.add(emails, np.char.add(
        np.where(np.arange(count) >= len(name_order), np.arange(count).astype(str), ""),
        "@" + COMPANY_DOMAIN,
    ))
    frame = pd.DataFrame({
        "person_id": person_ids,
        "name": names,
        "email": emails,
        "team": teams,
        "title": titles,
        "region": pd.Categorical.from_codes(regions, REGIONS),
        "segment": pd.Categorical.from_codes(segments, SEGMENTS),
        "manager_id": pd.Categorical.from_codes(managers, person_ids),
    })
    return _People(frame, sdrs_by_region, aes, marketers_by_region, np.array(central),
                   np.array(revops))


def _campaigns(rng, spec: DemoSpec, timeline: _Timeline, people: _People) -> dict:
    per_quarter = np.array([
        30 * spec.scale * GROWTH_PER_QUARTER ** index * SEASON[quarter.number]
        for index, quarter in enumerate(timeline.quarters)
    ])
    counts = np.maximum(2, np.round(per_quarter)).astype(int)
    count = counts.sum()
    quarter_index = np.repeat(np.arange(len(counts)), counts)
    quarter_start = np.array([_seconds(q.start) for q in timeline.quarters])[quarter_index]
    quarter_days = np.array([q.days for q in timeline.quarters])[quarter_index]
    start_day = quarter_start + np.floor(rng.random(count) * quarter_days) * 86_400

    params = np.array(list(CHANNELS.values()))
    channel = _pick(rng, params[:, 0], count)
    region = _pick(rng, REGION_WEIGHTS, count)
    segment = _pick(rng, SEGMENT_WEIGHTS, count)
    min_days, max_days = params[channel, 3], params[channel, 4]
    duration_days = np.floor(min_days + rng.random(count) * (max_days - min_days + 1))
    end_day = start_day + (duration_days - 1) * 86_400
    segment_cost = np.array([0.8, 1.0, 1.5])[segment]
    budget = np.round(params[channel, 1] * segment_cost * rng.lognormal(0, 0.35, count), -2)
    growth = GROWTH_PER_QUARTER ** quarter_index
    expected_base = params[channel, 2] * growth * rng.lognormal(0, 0.3, count)
    performance = rng.lognormal(0, 0.3, count)

    today = timeline.as_of_seconds
    lead_window = (duration_days + LEAD_TAIL_DAYS) * 86_400
    elapsed = np.clip((today - start_day) / lead_window, 0, 1)
    cancelled = rng.random(count) < 0.04
    status = np.where(
        cancelled, 3, np.where(end_day + 86_400 <= today, 2, np.where(start_day <= today, 1, 0))
    )
    cost_noise = rng.normal(1.0, 0.08, count)
    run_share = np.clip((today - start_day) / ((end_day - start_day) + 86_400), 0, 1)
    actual_cost = np.where(status == 2, budget * cost_noise, np.nan)
    actual_cost = np.where(status == 1, budget * run_share * cost_noise, actual_cost)
    actual_cost = np.where(status == 3, budget * run_share * 0.3, actual_cost)
    # Some finished campaigns never had their cost booked: ROI must say "not available".
    actual_cost = np.where((status == 2) & (rng.random(count) < 0.05), np.nan, actual_cost)
    actual_cost = np.round(actual_cost, 2)

    lead_weight = np.where(cancelled, 0, expected_base * performance * elapsed)
    campaign_leads_total = round(spec.leads * CAMPAIGN_SHARE_OF_LEADS)
    lead_counts = rng.multinomial(campaign_leads_total, lead_weight / lead_weight.sum())
    # Scale the plan so that campaigns deliver about what marketing expected of them.
    plan_factor = campaign_leads_total / lead_weight.sum()
    expected_leads = np.maximum(10, np.round(expected_base * plan_factor, -1)).astype(int)

    marketing_owner = np.array([
        rng.choice(people.marketers_by_region[r]) if c not in (0, 1) else
        rng.choice(people.central_marketers) for r, c in zip(region, channel, strict=True)
    ])
    theme = rng.integers(0, len(CAMPAIGN_THEMES), count)
    quarter_label = np.array([str(q) for q in timeline.quarters])[quarter_index]
    names = [
        f"{q} {REGIONS[r]} {SEGMENTS[s]} {CHANNEL_NAMES[c]}: {CAMPAIGN_THEMES[t]}"
        for q, r, s, c, t in zip(quarter_label, region, segment, channel, theme, strict=True)
    ]
    descriptions = [
        f"{CHANNEL_NAMES[c]} for {SEGMENTS[s]} accounts in {REGIONS[r]}: "
        f"{CAMPAIGN_THEMES[t].lower()}."
        for r, s, c, t in zip(region, segment, channel, theme, strict=True)
    ]
    order = np.argsort(start_day, kind="stable")
    frame = pd.DataFrame({
        "campaign_no": np.arange(1, count + 1),
        "name": np.array(names)[order],
        "channel": pd.Categorical.from_codes(channel[order], CHANNEL_NAMES),
        "region": pd.Categorical.from_codes(region[order], REGIONS),
        "segment": pd.Categorical.from_codes(segment[order], SEGMENTS),
        "owner_id": people.frame["person_id"].to_numpy()[marketing_owner[order]],
        "status": pd.Categorical.from_codes(
            status[order], ["planned", "live", "completed", "cancelled"]
        ),
        "start_date": pd.to_datetime(start_day[order], unit="s"),
        "end_date": pd.to_datetime(end_day[order], unit="s"),
        "budget": budget[order],
        "actual_cost": actual_cost[order],
        "expected_leads": expected_leads[order],
        "description": np.array(descriptions)[order],
    })
    rank = np.empty(count, dtype=int)
    rank[order] = np.arange(count)
    return {
        "frame": frame,
        "lead_counts": lead_counts,
        "rank": rank,
        "channel": channel,
        "region": region,
        "segment": segment,
        "start_day": start_day,
        "lead_window": lead_window * elapsed,
    }


def _leads(rng, spec: DemoSpec, timeline: _Timeline, campaigns: dict, people: _People) -> dict:
    campaign_of_lead = np.repeat(np.arange(len(campaigns["lead_counts"])), campaigns["lead_counts"])
    n_campaign = len(campaign_of_lead)
    created_campaign = (
        campaigns["start_day"][campaign_of_lead]
        + rng.random(n_campaign) * campaigns["lead_window"][campaign_of_lead]
    )
    n_organic = spec.leads - n_campaign
    day_grid = np.arange(_seconds(timeline.start), timeline.as_of_seconds, 86_400.0)
    organic_days = rng.choice(day_grid, size=n_organic, p=_normalise(timeline.activity(day_grid)))
    created_organic = organic_days + (7 + rng.random(n_organic) * 13) * 3600

    n = spec.leads
    created = np.concatenate([created_campaign, created_organic])
    created = np.minimum(created, timeline.as_of_seconds)
    campaign = np.concatenate([campaign_of_lead, np.full(n_organic, -1)])
    organic_source = _pick(rng, ORGANIC_WEIGHTS, n_organic)
    channel = np.concatenate([campaigns["channel"][campaign_of_lead], np.full(n_organic, -1)])
    source = np.concatenate([campaigns["channel"][campaign_of_lead],
                             len(CHANNEL_NAMES) + organic_source])
    region = np.concatenate([campaigns["region"][campaign_of_lead],
                             _pick(rng, REGION_WEIGHTS, n_organic)])
    segment = np.concatenate([campaigns["segment"][campaign_of_lead],
                              _pick(rng, SEGMENT_WEIGHTS, n_organic)])

    channel_mql = np.array([p[5] for p in CHANNELS.values()])
    mql_rate = np.where(
        channel >= 0, channel_mql[np.maximum(channel, 0)],
        np.concatenate([np.zeros(n_campaign), ORGANIC_MQL_RATES[organic_source]]),
    ) * np.array([1.0, 1.06, 1.12])[segment]

    hour = 3600.0
    becomes_mql = rng.random(n) < mql_rate
    # A third of MQLs score at once (a demo request); the rest after some nurturing.
    mql_delay = np.where(rng.random(n) < 0.3, 0, rng.exponential(36 * hour, n))
    mql = np.where(becomes_mql, created + mql_delay, np.nan)
    # SDRs touch most MQLs within hours, but nobody works weekends.
    touch_delay = rng.lognormal(np.log(4.5 * hour), 1.25, n)
    mql_weekday = pd.to_datetime(np.nan_to_num(mql), unit="s").day_of_week.to_numpy()
    weekend_wait = np.where(mql_weekday == 5, 2, np.where(mql_weekday == 6, 1, 0)) * 86_400 * 0.8
    never_touched = rng.random(n) < 0.05
    # A few SDRs call before marketing scores the lead: first touch before MQL (data quality).
    touched_early = rng.random(n) < 0.003
    first_touch = mql + touch_delay + weekend_wait
    first_touch = np.where(touched_early, mql - rng.uniform(1, 72, n) * hour, first_touch)
    first_touch = np.where(never_touched, np.nan, first_touch)

    accept_rate = np.array([0.50, 0.56, 0.62])[segment]
    accepted = becomes_mql & ~never_touched & (rng.random(n) < accept_rate)
    decided_at_mql = first_touch + rng.exponential(30 * hour, n)
    sal = np.where(accepted, decided_at_mql, np.nan)
    rejected_at_mql = becomes_mql & ~never_touched & ~accepted
    qualifies = accepted & (rng.random(n) < 0.62)
    sql_time = np.where(qualifies, sal + rng.exponential(6 * 86_400, n), np.nan)
    rejected_at_sal = accepted & ~qualifies
    decided_at_sal = sal + rng.exponential(10 * 86_400, n)
    opportunity = qualifies & (rng.random(n) < 0.9)
    deal_created = np.where(opportunity, sql_time + rng.exponential(1 * 86_400, n), np.nan)
    rejected_inquiry = ~becomes_mql & (rng.random(n) < 0.08)
    decided_inquiry = created + rng.exponential(3 * 86_400, n)

    today = timeline.as_of_seconds

    def happened(moment):
        return ~np.isnan(moment) & (moment <= today)

    stage = np.zeros(n, dtype=np.int8)  # inquiry
    stage[rejected_inquiry & (decided_inquiry <= today)] = 5
    stage[happened(mql)] = 1
    stage[rejected_at_mql & happened(decided_at_mql)] = 5
    stage[happened(sal)] = 2
    stage[rejected_at_sal & happened(decided_at_sal)] = 5
    stage[happened(sql_time)] = 3
    stage[happened(deal_created)] = 4
    reason = np.full(n, -1)
    for rejected, (reasons, weights) in (
        (rejected_inquiry, INQUIRY_REJECTIONS),
        (rejected_at_mql, MQL_REJECTIONS),
        (rejected_at_sal, SAL_REJECTIONS),
    ):
        drawn = np.array(reasons)[_pick(rng, np.array(weights), n)]
        reason = np.where((stage == 5) & rejected, drawn, reason)

    sdr = np.full(n, -1)
    for region_code, sdrs in enumerate(people.sdrs_by_region):
        in_region = np.flatnonzero(region == region_code)
        sdr[in_region] = sdrs[rng.integers(0, len(sdrs), len(in_region))]
    owner = np.where(happened(mql), sdr, -1)

    order = np.argsort(created, kind="stable")
    person_ids = people.frame["person_id"].to_numpy()
    campaign_rank = np.where(campaign >= 0, campaigns["rank"][np.maximum(campaign, 0)], -1)
    frame = pd.DataFrame({
        "lead_no": np.arange(1, n + 1),
        "campaign_no": campaign_rank[order] + 1,  # 0 = no campaign
        "source": pd.Categorical.from_codes(
            source[order], np.concatenate([CHANNEL_NAMES, ORGANIC_SOURCES])
        ),
        "region": pd.Categorical.from_codes(region[order], REGIONS),
        "segment": pd.Categorical.from_codes(segment[order], SEGMENTS),
        "created_at": _timestamps(created[order]),
        "stage": pd.Categorical.from_codes(
            stage[order], ["inquiry", "mql", "sal", "sql", "opportunity", "disqualified"]
        ),
        "mql_at": _timestamps(np.where(happened(mql), mql, np.nan)[order]),
        "sal_at": _timestamps(np.where(happened(sal), sal, np.nan)[order]),
        "sql_at": _timestamps(np.where(happened(sql_time), sql_time, np.nan)[order]),
        "first_touch_at": _timestamps(
            np.where(happened(first_touch) & happened(mql), first_touch, np.nan)[order]
        ),
        "owner_id": pd.Categorical.from_codes(owner[order], person_ids),
        "disqualify_reason": pd.Categorical.from_codes(reason[order], DISQUALIFY_REASONS),
        **_contact_codes(spec, n),
    })
    # Deals come from opportunities, including those that open after as_of: the forecast
    # simulation needs them; _deals cuts them at as_of.
    has_deal = np.flatnonzero(opportunity[order])
    return {
        "frame": frame,
        "deal_lead_no": has_deal + 1,
        "deal_created": deal_created[order][has_deal],
        "deal_region": region[order][has_deal],
        "deal_segment": segment[order][has_deal],
    }


def _contact_codes(spec: DemoSpec, n: int) -> dict[str, np.ndarray]:
    """Which name, company and title each lead has (demo_insert_leads spells them out in
    SQL, which writes millions of strings far faster than Python). A generator of their own,
    so the rest of the demo draws what it drew before leads had contacts."""
    rng = np.random.default_rng([spec.seed, 19])
    return {
        "first_name_no": rng.integers(1, len(FIRST_NAMES) + 1, n, dtype=np.int32),
        "last_name_no": rng.integers(1, len(LAST_NAMES) + 1, n, dtype=np.int32),
        "company_prefix_no": rng.integers(1, len(ACCOUNT_PREFIXES) + 1, n, dtype=np.int32),
        "company_suffix_no": rng.integers(1, len(ACCOUNT_SUFFIXES) + 1, n, dtype=np.int32),
        "title_no": rng.integers(1, len(LEAD_TITLES) + 1, n, dtype=np.int32),
        "phone_no": rng.integers(0, 10_000, n, dtype=np.int32),
    }


def _normalise(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def _timestamps(seconds: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(np.round(seconds), unit="s")).astype("datetime64[us]")


def _deals(rng, spec: DemoSpec, timeline: _Timeline, leads: dict, people: _People):
    n_lead_deals = len(leads["deal_created"])
    # Sales also source their own deals (expansions, outbound): about a quarter of all deals.
    n_sales = round(n_lead_deals * 0.35)
    day_grid = np.arange(_seconds(timeline.start), timeline.as_of_seconds, 86_400.0)
    sales_created = rng.choice(day_grid, n_sales, p=_normalise(timeline.activity(day_grid)))
    sales_created = sales_created + (8 + rng.random(n_sales) * 9) * 3600
    created = np.concatenate([leads["deal_created"], sales_created])
    region = np.concatenate([leads["deal_region"], _pick(rng, REGION_WEIGHTS, n_sales)])
    segment = np.concatenate([leads["deal_segment"], _pick(rng, SEGMENT_WEIGHTS, n_sales)])
    lead_no = np.concatenate([leads["deal_lead_no"], np.zeros(n_sales, dtype=int)])
    exists = created <= timeline.as_of_seconds
    created, region, segment, lead_no = (a[exists] for a in (created, region, segment, lead_no))
    is_sales_sourced = lead_no == 0
    n = len(created)

    quarters_in = (created - _seconds(timeline.start)) / (91 * 86_400)
    size = np.array([DEAL_SIZE[s] for s in SEGMENTS])[segment]
    amount = np.round(size * 1.02 ** quarters_in * rng.lognormal(0, 0.5, n), -2)
    amount = np.maximum(amount, 1_000)
    cycle = np.array([CYCLE_DAYS[s] for s in SEGMENTS])[segment]
    planned = rng.gamma(4, cycle / 4, n) * 86_400
    slips = rng.random(n) < 0.3
    slip = np.where(slips, rng.uniform(14, 60, n) * 86_400, 0)
    duration = planned + slip
    win_rate = np.array([WIN_RATE[s] for s in SEGMENTS])[segment] + 0.05 * is_sales_sourced
    won = rng.random(n) < win_rate
    # Deals that will be won are more often called best case and commit on the way.
    has_best_case = rng.random(n) < np.where(won, 0.85, 0.35)
    has_commit = rng.random(n) < np.where(won, 0.75, 0.15)
    changes_amount = rng.random(n) < 0.2
    final_amount = np.maximum(np.round(amount * rng.uniform(0.8, 1.15, n), -2), 1_000)
    final_amount = np.where(changes_amount, final_amount, amount)

    initial_close = _day(created + planned)
    final_close = _day(created + duration)
    best_case_at = created + 0.35 * planned
    commit_at = created + 0.6 * duration
    slip_known_at = created + 0.9 * planned
    close_at = created + duration

    def state_at(moment):
        """(amount, status, forecast category, close date) of every deal at `moment`."""
        closed = moment >= close_at
        committed = has_commit & (moment >= commit_at)
        category = np.where(committed, 2, np.where(has_best_case & (moment >= best_case_at), 1, 0))
        category = np.where(closed, np.where(won, 3, 4), category)
        status = np.where(closed, np.where(won, 1, 2), 0)
        close_day = np.where(slips & (moment >= slip_known_at), final_close, initial_close)
        return np.where(committed | closed, final_amount, amount), status, category, close_day

    history_parts = []
    for moment, present in (
        (created, np.ones(n, dtype=bool)),
        (best_case_at, has_best_case),
        (slip_known_at, slips),
        (commit_at, has_commit),
        (close_at, np.ones(n, dtype=bool)),
    ):
        index = np.flatnonzero(present & (moment <= timeline.as_of_seconds))
        event_amount, status, category, close_day = (a[index] for a in state_at(moment))
        history_parts.append(pd.DataFrame({
            "deal_index": index,
            "changed_at": moment[index],
            "amount": event_amount,
            "status": status,
            "forecast_category": category,
            "close_date": close_day,
        }))
    history = pd.concat(history_parts, ignore_index=True)

    order = np.argsort(created, kind="stable")
    deal_no = np.empty(n, dtype=int)
    deal_no[order] = np.arange(1, n + 1)
    history.insert(0, "deal_no", deal_no[history.pop("deal_index").to_numpy()])
    history["changed_at"] = _timestamps(history["changed_at"].to_numpy())
    history["close_date"] = pd.to_datetime(history["close_date"], unit="s").astype("datetime64[us]")
    history["status"] = pd.Categorical.from_codes(history["status"], ["open", "won", "lost"])
    history["forecast_category"] = pd.Categorical.from_codes(
        history["forecast_category"], ["pipeline", "best_case", "commit", "closed", "omitted"]
    )
    history = history.sort_values(["deal_no", "changed_at"], kind="stable", ignore_index=True)

    owner = np.empty(n, dtype=int)
    for (region_code, segment_code), aes in people.aes_by_region_segment.items():
        here = np.flatnonzero((region == region_code) & (segment == segment_code))
        owner[here] = aes[rng.integers(0, len(aes), len(here))]
    account_pool = max(50, n * 2 // 3)
    account_no = rng.integers(0, account_pool, n)
    prefixes = np.array(ACCOUNT_PREFIXES)
    suffixes = np.array(ACCOUNT_SUFFIXES)
    account_names = np.char.add(
        np.char.add(prefixes[np.arange(account_pool) % len(prefixes)], " "),
        suffixes[(np.arange(account_pool) // len(prefixes)) % len(suffixes)],
    )
    # More accounts than name pairs at large scales: number the repeats.
    repeat = np.arange(account_pool) // (len(prefixes) * len(suffixes))
    numbered = np.char.add(account_names, np.char.add(" ", (repeat + 1).astype(str)))
    account_names = np.where(repeat > 0, numbered, account_names)
    person_ids = people.frame["person_id"].to_numpy()
    frame = pd.DataFrame({
        "deal_no": deal_no[order],
        "lead_no": lead_no[order],  # 0 = sourced by sales, no lead
        "account": pd.Categorical.from_codes(account_no[order], account_names),
        "owner_id": pd.Categorical.from_codes(owner[order], person_ids),
        "region": pd.Categorical.from_codes(region[order], REGIONS),
        "segment": pd.Categorical.from_codes(segment[order], SEGMENTS),
        "created_at": _timestamps(created[order]),
    })
    outcome = {
        "frame": frame,
        # The simulated truth, past as_of too, for biased-but-honest forecasts and goals.
        "owner": owner,
        "region": region,
        "close_seconds": created + duration,
        "won": won,
        "final_amount": final_amount,
        "created": created,
        "amount": amount,
    }
    return outcome, history


def _day(seconds: np.ndarray) -> np.ndarray:
    return np.floor(seconds / 86_400) * 86_400


def _quarter_of(seconds: np.ndarray, quarters: list[Quarter]) -> np.ndarray:
    """Index into `quarters` of each moment, -1 outside them."""
    bounds = np.array([_seconds(q.start) for q in quarters] + [_seconds(quarters[-1].end)])
    index = np.searchsorted(bounds, seconds, side="right") - 1
    return np.where((index >= 0) & (index < len(quarters)), index, -1)


def _forecast_submissions(rng, spec, timeline: _Timeline, deals: dict, people: _People):
    quarters = timeline.reported
    won_quarter = _quarter_of(deals["close_seconds"], quarters)
    aes = np.concatenate(list(people.aes_by_region_segment.values()))
    ae_position = np.full(len(people.frame), -1)
    ae_position[aes] = np.arange(len(aes))
    # What each AE will really close in each quarter, simulated past as_of.
    will_close = np.zeros((len(aes), len(quarters)))
    mask = deals["won"] & (won_quarter >= 0)
    np.add.at(will_close, (ae_position[deals["owner"][mask]], won_quarter[mask]),
              deals["final_amount"][mask])
    bias = rng.normal(-0.04, 0.12, len(aes))  # most reps sandbag a little, some are hopeful
    parts = []
    for q_index, quarter in enumerate(quarters):
        first_monday = quarter.start + dt.timedelta(days=(7 - quarter.start.weekday()) % 7)
        mondays = [first_monday + dt.timedelta(weeks=w) for w in range(13)]
        mondays = [m for m in mondays if m < quarter.end]
        week = np.repeat(np.arange(len(mondays)), len(aes))
        rep = np.tile(np.arange(len(aes)), len(mondays))
        submitted = (np.array([_seconds(m) for m in mondays])[week]
                     + (9 + rng.random(len(week)) * 8) * 3600)
        progress = week / max(1, len(mondays) - 1)
        noise = rng.normal(0, 0.22 * (1 - progress) + 0.03)
        truth = will_close[rep, q_index]
        commit = np.maximum(0, truth * (1 + bias[rep] - 0.12 * (1 - progress) + noise))
        best_case = commit * (1.15 + 0.3 * (1 - progress) + rng.random(len(week)) * 0.1)
        keep = submitted <= timeline.as_of_seconds
        parts.append(pd.DataFrame({
            "quarter": str(quarter),
            "person_id": people.frame["person_id"].to_numpy()[aes[rep[keep]]],
            "submitted_at": _timestamps(submitted[keep]),
            "commit_amount": np.round(commit[keep], -3),
            "best_case_amount": np.round(best_case[keep], -3),
        }))
    return pd.concat(parts, ignore_index=True)


def _goals(rng, spec, timeline: _Timeline, leads: dict, deals: dict, people: _People):
    """Targets RevOps set before each quarter. For a closed quarter: what really happened,
    times the optimism planners bring (so some goals are hit, some missed). For the current
    and next quarter: the same quarter a year earlier, grown."""
    quarters = quarter_range(timeline.reported[0].shift(-4), timeline.current.shift(1))
    lead_frame = leads["frame"]
    lead_region = lead_frame["region"].cat.codes.to_numpy()

    def totals(values, moments, region) -> np.ndarray:
        """(region + 1 for company-wide) x quarter sums."""
        table = np.zeros((len(REGIONS) + 1, len(quarters)))
        index = _quarter_of(moments, quarters)
        ok = index >= 0
        np.add.at(table, (region[ok] + 1, index[ok]), values[ok])
        table[0] = table[1:].sum(axis=0)
        return table

    def lead_seconds(column):
        # NaT becomes a huge negative number: outside every quarter.
        return lead_frame[column].to_numpy().astype("int64") / 1e6

    won = deals["won"]
    actuals = {
        "revenue": totals(np.where(won, deals["final_amount"], 0), deals["close_seconds"],
                          deals["region"]),
        "pipeline": totals(deals["amount"], deals["created"], deals["region"]),
        "mqls": totals(np.ones(len(lead_frame)), lead_seconds("mql_at"), lead_region),
        "sals": totals(np.ones(len(lead_frame)), lead_seconds("sal_at"), lead_region),
        "sqls": totals(np.ones(len(lead_frame)), lead_seconds("sql_at"), lead_region),
    }
    owner_team = {"revenue": "shared", "pipeline": "shared", "mqls": "marketing",
                  "sals": "sales", "sqls": "sales"}
    with_regions = {"revenue", "pipeline", "mqls"}
    decimals = {"revenue": -4, "pipeline": -4, "mqls": -1, "sals": -1, "sqls": -1}
    revops_name = people.frame["name"].iloc[people.revops[0]]
    rows = []
    for quarter in quarter_range(timeline.reported[0], timeline.current.shift(1)):
        column = quarters.index(quarter)
        set_at = dt.datetime.combine(quarter.start - dt.timedelta(days=10), dt.time(16, 30))
        for metric, table in actuals.items():
            for row in range(len(REGIONS) + 1 if metric in with_regions else 1):
                if quarter < timeline.current:
                    base = table[row, column]
                else:
                    # The run rate of the last four closed quarters, grown and seasonal.
                    closed = table[row, quarters.index(timeline.current) - 4:
                                   quarters.index(timeline.current)]
                    quarters_ahead = quarters.index(quarter) - quarters.index(timeline.current)
                    base = (closed.mean() * GROWTH_PER_QUARTER ** (2.5 + quarters_ahead)
                            * SEASON[quarter.number])
                target = round(base * rng.uniform(0.97, 1.12), decimals[metric])
                region = None if row == 0 else str(REGIONS[row - 1])
                rows.append((str(quarter), metric, region, None, float(target),
                             owner_team[metric], revops_name, set_at))
        rows.append((str(quarter), "win_rate", None, None, 0.28, "sales", revops_name, set_at))
    return pd.DataFrame(rows, columns=[
        "quarter", "metric", "region", "segment", "target", "owner_team", "updated_by",
        "updated_at",
    ])
