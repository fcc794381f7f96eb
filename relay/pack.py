"""The review pack: what the planning meeting takes away, as one HTML file that opens with no
network (and the same printed to PDF by Chromium).

For the quarter planned (Q) it holds the review of the last closed quarter, Q's agreed goals
with their signatures, the demand waterfall, Q's campaign plan and Q's forecast: the figures
of the views the pages show (relay.views), formatted as the pages format them, each unknown
one a dash with its reason. The charts are the pages' own, with plotly.js inline once.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import plotly.offline
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from relay import charts, settings
from relay import format as fmt
from relay.filters import Filters, scope_label
from relay.fiscal import Phase, Quarter
from relay.views import calendar, forecast, goals, meeting, plan
from relay.views.common import State, View

TEMPLATES = Path(__file__).parent / "templates"
CHROMIUM = Path(os.environ.get("RELAY_CHROMIUM", "/usr/bin/chromium"))
PRINT_WIDTH_PX = 700  # A4 less 12 mm margins is 186 mm, 703 px at 96 px an inch
PRINT_SECONDS = 120  # Chromium prints the demo's pack in a few seconds
MAX_TIMELINE = 60  # campaign bars the timeline shows (the pages' limit); the table has all
STATE_WORDS = {State.UNKNOWN: "can't be measured", State.NOT_APPLICABLE: "not applicable"}
REPS_CALLS = {"forecast.commit", "forecast.best_case", "forecast.commit_gap"}
GAPS = {"forecast.commit_gap", "forecast.forecast_gap"}  # said in words, as the planner's
SIDE_TITLES = {"marketing": "Marketing lead", "sales": "Sales lead"}


class PrintError(RuntimeError):
    """Chromium could not print the pack to PDF; the message says why."""


@dataclass(frozen=True)
class Shown:
    """A figure as the pack prints it: its number formatted, or a dash and why not."""

    key: str  # section.figure, e.g. "plan.mqls_needed": what the tests find it by
    label: str
    text: str
    note: str
    state: str


def pack_html(cursor: duckdb.DuckDBPyConnection, quarter: Quarter | str, as_of: dt.date) -> str:
    """The pack for planning `quarter`, as of `as_of`: one self-contained HTML page."""
    config = settings.load(cursor)
    if isinstance(quarter, str):
        quarter = Quarter.parse(quarter, config.fiscal_year_start_month)
    currency = config.currency
    reviewed = meeting.closed_before(quarter, as_of)
    counter = iter(range(1, 1000))
    chart = lambda figure: _chart(figure, next(counter))  # noqa: E731 - ids in page order
    context = {
        "quarter": str(quarter),
        "as_of": f"{as_of:%d %b %Y}",
        "phase": quarter.phase(as_of).value,
        "plotly_js": Markup(plotly.offline.get_plotlyjs()),  # noqa: S704 - plotly's own code
        "review": _review(cursor, reviewed, as_of, currency, chart),
        "agreed": _agreed(cursor, quarter, as_of, currency),
        "waterfall": _waterfall(cursor, quarter, as_of, currency, chart),
        "campaigns": _campaigns(cursor, quarter, as_of, currency, chart),
        "forecast": _forecast(cursor, quarter, as_of, currency, chart),
    }
    return _environment().get_template("pack.html.j2").render(context)


def pack_bytes(cursor: duckdb.DuckDBPyConnection, quarter: Quarter | str,
               as_of: dt.date) -> bytes:
    """The pack as the bytes of its file (UTF-8), for a download."""
    return pack_html(cursor, quarter, as_of).encode("utf-8")


def pack_pdf(cursor: duckdb.DuckDBPyConnection, quarter: Quarter | str,
             as_of: dt.date) -> bytes:
    """The pack printed to PDF by Chromium."""
    return print_pdf(pack_html(cursor, quarter, as_of))


def print_pdf(page: str) -> bytes:
    """An HTML page printed to PDF by headless Chromium, after its scripts (the charts) ran.
    Raises PrintError saying why when Chromium is missing or fails."""
    if not CHROMIUM.exists():
        raise PrintError(f"No Chromium at {CHROMIUM} to print the PDF with: install it "
                         "(apt-get install chromium) or set RELAY_CHROMIUM to its path.")
    with tempfile.TemporaryDirectory(prefix="relay-pack-") as folder:
        source, target = Path(folder) / "pack.html", Path(folder) / "pack.pdf"
        source.write_text(page, encoding="utf-8")
        command = [
            str(CHROMIUM), "--headless", "--disable-gpu", "--no-pdf-header-footer",
            "--no-first-run", f"--user-data-dir={Path(folder) / 'profile'}",
            # The charts take the window's width when drawn: no wider than an A4 page's
            # printable width (the template's @page), so that none is cut at the edge.
            f"--window-size={PRINT_WIDTH_PX},1000",
            # Time enough for the charts' scripts before printing.
            "--virtual-time-budget=15000", f"--print-to-pdf={target}", source.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with one
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=PRINT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise PrintError(f"Chromium did not finish printing the pack within "
                             f"{PRINT_SECONDS} s.") from None
        if not target.exists() or target.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise PrintError(f"Chromium printed no PDF (exit code {done.returncode}): {last}")
        return target.read_bytes()


def _environment() -> Environment:
    # Autoescape: every name from the data (a campaign, a goal, a person) prints as text.
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _chart(figure, number: int) -> Markup:
    """A page's chart as HTML (plotly.js is in the pack once). Plotly writes the data as
    JSON with <, > and / escaped, so no name from the data can end the script."""
    # Streamlit lets axis labels take the room they need; a plain page must ask for it.
    # and Streamlit's theme gives the colours: the pack names Plotly's own.
    figure.update_layout(template="plotly_white")
    figure.update_xaxes(automargin=True).update_yaxes(automargin=True)
    return Markup(figure.to_html(  # noqa: S704 - plotly's markup, the data JSON-escaped
        full_html=False, include_plotlyjs=False, div_id=f"chart-{number}",
        config={"displayModeBar": False, "responsive": True}))


def shown(view: View, section: str, key: str, currency: str, note: str | None = None,
          label: str | None = None) -> Shown:
    """One figure of a view as the pack prints it: the number in its unit, or a dash with
    "can't be measured"/"not applicable" and the reason."""
    figure = view.figures[key]
    if figure.known:
        return Shown(f"{section}.{key}", label or figure.label,
                     fmt.by_unit(figure.value, figure.unit, currency), note or "",
                     figure.state.value)
    return Shown(f"{section}.{key}", label or figure.label, fmt.MISSING,
                 f"{STATE_WORDS[figure.state]}: {figure.reason}", figure.state.value)


def _cell(value: Any) -> str:
    """A table cell that has no value: a dash (the column's heading says what it means)."""
    return fmt.MISSING if fmt.missing(value) else str(value)


def _signatures(signoffs: pd.DataFrame, closed: bool) -> list[dict[str, str]]:
    """Each side's latest signature: who and when, and whether it agreed to the goals as they
    are now; or that nobody signed."""
    state = signoffs.set_index("side") if len(signoffs) else pd.DataFrame()
    rows = []
    for side, title in SIDE_TITLES.items():
        if side not in state.index:
            rows.append({"side": title, "signed": "Not signed" if closed else "Not signed yet",
                         "state": "unsigned"})
            continue
        row = state.loc[side]
        signed = f"{row['signed_by']}, {row['signed_at']:%d %b %Y %H:%M}"
        rows.append({
            "side": title,
            "signed": signed if row["is_current"]
            else f"{signed} — outdated: the goals changed after this signature",
            "state": "current" if row["is_current"] else "outdated",
        })
    return rows


def _review(cursor, quarter: Quarter, as_of: dt.date, currency: str, chart) -> dict:
    """The closed quarter judged as the meeting page judges it: against the plan as signed
    (meeting.against_signed), not the goals as edited since, and what drove the misses."""
    view = goals.build(cursor, Filters(quarter), as_of)
    table = view.tables["goals"]
    review = meeting.against_signed(cursor, table, str(quarter), currency)
    judged = review[review["status"].isin(["Hit", "Missed"])]
    closed = quarter.phase(as_of) is Phase.CLOSED
    return {
        "quarter": str(quarter),
        "closed": closed,
        "goals_hit": Shown("review.goals_hit", "Goals hit, against the plan as signed",
                           f"{fmt.count((judged['status'] == 'Hit').sum())} of "
                           f"{fmt.count(len(judged))}",
                           "goals that can't be measured are left out"
                           if len(judged) < len(review) else "", State.KNOWN.value),
        "rows": [
            {"goal": row.goal, "team": team, "signed": row.signed_shown,
             "target": row.target_shown, "actual": row.actual_shown,
             "attainment": fmt.percent(row.attainment), "status": row.status,
             "result": _cell(row.result), "judged_on": row.judged_on}
            for row, team in zip(review.itertuples(), table["owner_team"], strict=True)
        ],
        "drivers": meeting.drivers(cursor, review, quarter, as_of, currency).to_dict(
            orient="records"),
        "chart": chart(charts.goal_attainment(table, view.value("quarter_elapsed"),
                                              quarter.phase(as_of)))
        if table["attainment"].notna().any() else None,
        "signatures": _signatures(view.tables["signoffs"], closed=True),
        "notes": [note.text for note in view.notes],
    }


def _agreed(cursor, quarter: Quarter, as_of: dt.date, currency: str) -> dict:
    view = goals.build(cursor, Filters(quarter), as_of)
    table = view.tables["goals"]
    signatures = _signatures(view.tables["signoffs"], quarter.phase(as_of) is Phase.CLOSED)
    agreed = all(row["state"] == "current" for row in signatures)
    return {
        "rows": [
            {"goal": row.goal, "team": row.owner_team, "target": row.target_shown,
             "changed_by": _cell(row.updated_by), "version": _cell(row.version)}
            for row in table.itertuples()
        ],
        "signatures": signatures,
        "agreed": agreed,
        "revision": fmt.count(view.value("plan_revision")),
        "notes": [note.text for note in view.notes],
    }


def _waterfall(cursor, quarter: Quarter, as_of: dt.date, currency: str, chart) -> dict:
    view = plan.build(cursor, Filters(quarter), as_of)
    if view.problems:  # no revenue goal to work back from: the waterfall is left out
        return {"problems": view.problems, "figures": [], "assumptions": [], "goals": [],
                "chart": None, "notes": []}
    value = view.value
    gap = view.figures["mql_gap"]
    stages = [
        ("MQLs", value("mqls_needed")), ("SALs", value("sals_needed")),
        ("SQLs", value("sqls_needed")),
        ("Opportunities from leads", value("lead_opportunities_needed")),
        ("All opportunities", value("opportunities_needed")),
        ("Deals won", value("deals_won_needed")),
    ]
    keys = ["revenue_target", "pipeline_needed", "deals_won_needed", "opportunities_needed",
            "lead_opportunities_needed", "sqls_needed", "sals_needed", "mqls_needed",
            "campaign_expected_leads", "campaign_mqls", "other_mqls"]
    figures = [shown(view, "plan", key, currency) for key in keys]
    figures.append(Shown(
        "plan.mql_gap", gap.label,
        fmt.against(gap.value, "count", "more MQLs than needed", "MQLs short", "just enough")
        if gap.known else fmt.MISSING,
        "" if gap.known else f"{STATE_WORDS[gap.state]}: {gap.reason}", gap.state.value))
    return {
        "problems": [],
        "figures": figures,
        "assumptions": [
            {"label": row.label, "measured": row.measured_shown, "cohort": fmt.count(row.cohort),
             "measured_on": _cell(row.measured_on)}
            for row in view.tables["assumptions"].itertuples()
        ],
        "goals": [
            {"goal": row.goal, "planned": row.planned_shown, "current": row.current_shown}
            for row in view.tables["goals"].itertuples()
        ],
        "chart": chart(charts.demand_waterfall([(label, v) for label, v in stages
                                                if v is not None])),
        "notes": [note.text for note in view.notes],
    }


def _campaigns(cursor, quarter: Quarter, as_of: dt.date, currency: str, chart) -> dict:
    chosen = calendar.CalendarFilters(quarter.start, quarter.last_day)
    view = calendar.build(cursor, chosen, as_of)
    table = view.tables["campaigns"]
    keys = ["campaigns_in_view", "live_now", "starting_in_range", "expected_leads_in_range",
            "leads_arrived_in_range", "overlapping_pairs"]
    if quarter.phase(as_of) is Phase.FUTURE:  # nothing can have arrived yet: not a 0
        keys.remove("leads_arrived_in_range")
    return {
        "figures": [shown(view, "campaigns", key, currency) for key in keys],
        "rows": [
            {"name": row.name, "channel": row.channel,
             "scope": scope_label(_none(row.region), _none(row.segment)),
             "owner": _cell(row.owner_name), "status": row.status,
             "dates": f"{row.start_date:%d %b %Y} – {row.end_date:%d %b %Y}",
             "budget": fmt.money(_none(row.budget), currency),
             "expected_leads": fmt.count(_none(row.expected_leads))}
            for row in table.itertuples()
        ],
        "timeline_cut": len(table) > MAX_TIMELINE,
        "timeline_shown": MAX_TIMELINE,
        "charts": [chart(charts.campaign_timeline(table.head(MAX_TIMELINE), as_of,
                                                  chosen.starts_on, chosen.ends_on)),
                   chart(charts.lead_flow(view.tables["lead_flow"]))] if len(table) else [],
        "notes": [note.text for note in view.notes],
    }


def _forecast(cursor, quarter: Quarter, as_of: dt.date, currency: str, chart) -> dict:
    view = forecast.current(cursor, Filters(quarter), as_of, weekly=False)
    value = view.value
    keys = ["revenue_target", "closed_won", "attainment", "submitters", "commit", "best_case",
            "model_forecast", "open_pipeline", "weighted_pipeline", "pipeline_coverage",
            "commit_gap", "forecast_gap"]
    calls = [("Closed-won so far", value("closed_won"))]
    if value("submitters"):
        calls += [("Commit (reps)", value("commit")), ("Best case (reps)", value("best_case"))]
    calls.append(("Model forecast", value("model_forecast")))
    regions = view.tables["by_region"]
    figures = [shown(view, "forecast", key, currency) for key in keys]
    if not value("submitters"):  # the reps' figures are unknown because nobody called
        why = (f"can't be measured: no rep has submitted a forecast for {quarter} by "
               f"{as_of:%d %b %Y}")
        figures = [Shown(f.key, f.label, f.text, why, f.state)
                   if f.key in REPS_CALLS and f.state == State.UNKNOWN.value else f
                   for f in figures]
    for index, figure in enumerate(figures):
        if figure.key in GAPS and figure.state == State.KNOWN.value:
            gap = value(figure.key.split(".")[1])  # target − the call: below zero beats it
            figures[index] = Shown(figure.key, figure.label, fmt.against(
                gap, "currency", "above target", "short of target", "exactly on target",
                currency), "", figure.state)
    return {
        "figures": figures,
        "chart": chart(charts.forecast_against_target(
            [(label, v) for label, v in calls if v is not None], value("revenue_target"),
            currency)),
        "regions": [
            {"region": row.region, "reps": fmt.count(row.reps),
             "submitted": fmt.count(row.submitted), "commit": fmt.money(row.commit, currency),
             "best_case": fmt.money(row.best_case, currency),
             "closed_won": fmt.money(row.closed_won, currency),
             "open_pipeline": fmt.money(row.open_pipeline, currency),
             "model_forecast": fmt.money(row.model_forecast, currency)}
            for row in regions.itertuples()
        ],
        "notes": [note.text for note in view.notes],
    }


def _none(value: Any) -> Any:
    """pandas' missing values (NaN, NA, NaT) as None."""
    return None if fmt.missing(value) else value
