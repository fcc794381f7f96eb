"""Every number opens the records behind it (relay.drill): a "Show the deals" button under a
card opens them in a dialog; selecting a bar or a table row opens them in a panel below it.
The records are sortable (click a column), downloadable as CSV, and capped at
relay.drill.ROW_LIMIT rows with the full count and total said above them."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from relay import drill
from relay import format as fmt
from relay.ui import cache, opened_store, widgets
from relay.views.common import View
from relay.views.funnel import STAGES as STAGE_LABELS

NOUN = {"deals": ("deal", "deals"), "leads": ("lead", "leads"),
        "campaigns": ("campaign", "campaigns")}
DATE = st.column_config.DateColumn
MOMENT = st.column_config.DatetimeColumn


@cache.read_again_after_writes(show_spinner="Opening the records…")
def _found(store_path: str, key: str, scope: drill.Scope | drill.RangeScope
           ) -> tuple[pd.DataFrame, int, float]:
    """The records behind a figure (rows, count, total), cached like the page data and read
    again after a write."""
    with opened_store.cursor(store_path) as drill_cursor:
        found = drill.records(drill_cursor, key, scope)
    return found.rows, found.count, found.total


def _records(store_path: str, key: str, scope: drill.Scope | drill.RangeScope
             ) -> drill.Records:
    return drill.Records(drill.DRILLS[key], *_found(store_path, key, scope))


def scope_of(context, item: str | None = None, rep: str | None = None) -> drill.Scope:
    """The sidebar's quarter and breakdown, today; `rep`: the speed-to-lead page narrowed to
    one rep's leads (relay.ui.sla.breach_scope)."""
    chosen = context.filters
    return drill.Scope(chosen.quarter, chosen.region, chosen.segment, context.today, item,
                       rep)


def _columns(currency: str, noun: str) -> dict:
    """The records' columns; `name` is the lead's own for leads, the campaign's otherwise."""
    money = widgets.money_column
    contact = st.column_config.TextColumn
    return {
        "deal_id": "Deal", "lead_id": "Lead", "campaign_id": "Campaign id",
        "account": "Account", "campaign": "Campaign", "owner": "Owner",
        "name": (contact("Name", help="A dash: the CRM exported no name for the lead.")
                 if noun == "leads" else "Campaign"),
        "company": contact("Company", help="A dash: none recorded for the lead."),
        "title": contact("Title", help="A dash: none recorded for the lead."),
        "rep": "Owner", "source": "Source", "channel": "Channel", "stage": "Stage",
        "status": "Status", "forecast_category": "Category",
        "amount": money("Amount", currency),
        "actual_cost": money("Cost (whole campaign)", currency, "A dash: no cost recorded."),
        "cost_in_quarter": money("Cost in the quarter", currency,
                                 "The campaign's cost spread over its days, times its days "
                                 "in the quarter. A dash: no cost recorded."),
        "expected_leads": st.column_config.NumberColumn(
            "Expected leads (whole campaign)", format="%.0f"),
        "expected_in_range": st.column_config.NumberColumn(
            "Expected leads in the range", format="%.1f",
            help="The campaign's expected leads spread evenly over its days, times its days "
                 "in the range. A dash: cancelled, or no leads expected."),
        "created_on": DATE("Created", format="D MMM YYYY"),
        "close_date": DATE("Close date", format="D MMM YYYY"),
        "start_date": DATE("Starts", format="D MMM YYYY"),
        "end_date": DATE("Ends", format="D MMM YYYY"),
        "created_at": MOMENT("Created", format="D MMM YYYY, HH:mm"),
        **{f"{stage}_at": MOMENT(label, format="D MMM YYYY, HH:mm",
                                 help="A dash: the lead has not reached it.")
           for stage, label in (("mql", "MQL"), ("sal", "SAL"), ("sql", "SQL"),
                                ("first_touch", "First touch"), ("opportunity", "Opportunity"))},
        "won_on": DATE("Won", format="D MMM YYYY", help="A dash: no deal of the lead won."),
        "age_hours": st.column_config.NumberColumn("Waiting (h)", format="%.0f h"),
        "region": st.column_config.TextColumn("Region", help="A dash: all regions."),
        "segment": st.column_config.TextColumn("Segment", help="A dash: all segments."),
        "owner_id": None,
    }


def summary(records: drill.Records, currency: str) -> str:
    """What the records are and what they add up to: "337 deals · $21.6M"."""
    one, many = NOUN[records.drill.noun]
    said = f"{fmt.count(records.count)} {one if records.count == 1 else many}"
    if records.drill.total is not None:
        said += f" · {fmt.money_exact(records.total, currency)} in all"
    return said


def show(records: drill.Records, title: str, currency: str, key: str) -> None:
    """The records: what they add up to, the capped table (sortable), the CSV download."""
    st.markdown(f"**{widgets.plain(title)}**: {summary(records, currency)}")
    if records.capped:
        st.caption(f"Showing the first {fmt.count(len(records.rows))} "
                   f"({'largest' if records.drill.total else 'earliest'} first); the count "
                   "and total are over all of them. `python -m relay report --drill` prints "
                   "them all.")
    if records.rows.empty:
        st.caption("No records: the figure is 0.")
        return
    widgets.table(records.rows, column_config=_columns(currency, records.drill.noun),
                  key=f"{key}_records")
    st.download_button("Download these records (CSV)",
                       lambda: widgets.csv_bytes(records.rows), file_name=f"{key}.csv",
                       mime="text/csv", icon=":material/download:", on_click="ignore",
                       key=f"{key}_csv")


@st.dialog("The records behind the figure", width="large")
def _dialog(store_path: str, key: str, scope: drill.Scope | drill.RangeScope, title: str,
            currency: str) -> None:
    show(_records(store_path, key, scope), title, currency, f"drill_{key}")


def range_scope(context, chosen) -> drill.RangeScope:
    """The calendar's scope: its date range and filters (calendar.CalendarFilters), today."""
    return drill.RangeScope(chosen, context.today)


def under_cards(context, view: View, keys: list[str | None],
                scope: drill.Scope | drill.RangeScope | None = None) -> None:
    """Under a metric row (same columns, same order; None where a card does not drill): a
    button that opens the records behind each known figure in a dialog; `scope`: what the
    figures were computed for, if not the sidebar's quarter and breakdown (the calendar)."""
    for column, key in zip(st.columns(len(keys)), keys, strict=True):
        figure = view.figures.get(key) if key else None
        if figure is None or not figure.known or key not in drill.DRILLS:
            continue
        noun = drill.DRILLS[key].noun
        label = (f"Show the {fmt.count(figure.value)} {noun}"
                 if drill.DRILLS[key].total is None else f"Show the {noun}")
        if column.button(label, key=f"drill_{key}", icon=":material/table_rows:",
                         type="tertiary"):
            _dialog(context.store_path, key, scope or scope_of(context), figure.label,
                    context.settings.currency)


def _panel(context, key: str, item: str | None, title: str) -> None:
    with st.container(border=True):
        show(_records(context.store_path, key, scope_of(context, item)), title,
             context.settings.currency, f"drill_{key}_{item or 'all'}")


def chart(context, figure, key: str, opens: Callable[[dict], tuple[str, str | None, str] | None],
          where=st) -> None:
    """A chart whose bars open their records: selecting one (click; shift-click or a box
    for more, the first counts) shows them in a panel below; `opens` turns a selected point
    into (drill key, item, title), or None where that bar does not drill."""
    event = where.plotly_chart(figure, config={"displayModeBar": False}, on_select="rerun",
                               selection_mode="points", key=key)
    points = event.selection.points if event else []
    chosen = opens(points[0]) if points else None
    if chosen:
        with where:
            _panel(context, *chosen)
    elif not points:
        where.caption("Select a bar to see the records behind it.")


def table(context, frame: pd.DataFrame, column_config: dict, key: str,
          opens: Callable[[pd.Series], tuple[str, str | None, str] | None], **options) -> None:
    """A table whose rows open their records: selecting a row shows them in a panel below;
    `opens` turns the row into (drill key, item, title)."""
    event = st.dataframe(frame, column_config=column_config, hide_index=True,
                         placeholder=fmt.MISSING, on_select="rerun",
                         selection_mode="single-row", key=key, **options)
    rows = event.selection.rows if event else []
    if rows and rows[0] < len(frame):
        chosen = opens(frame.iloc[rows[0]])
        if chosen:
            _panel(context, *chosen)
    else:
        st.caption("Select a row to see the records behind it.")


def goal_records(context, goal_id, title: str) -> None:
    """The records behind a goal's actual (its own quarter and breakdown), in a panel."""
    with opened_store.cursor(context.store_path) as goal_cursor:
        found = drill.goal_drill(goal_cursor, str(goal_id), context.today,
                                 context.settings.fiscal_year_start_month)
    if found is None:
        st.caption("This goal has no actual to open (no definition for its metric).")
        return
    key, scope = found
    with st.container(border=True):
        show(_records(context.store_path, key, scope), title, context.settings.currency,
             f"drill_goal_{goal_id}")


# -- What a selected bar or row opens ---------------------------------------------------------

def trend_bar(point: dict) -> tuple[str, str, str]:
    """A quarter's bars of the revenue trend: the deals won in it."""
    return "trend_closed_won", str(point["x"]), f"Closed-won in {point['x']}"


def funnel_bar(point: dict) -> tuple[str, None, str] | None:
    """A stage of the funnel chart: the leads that reached it in the quarter."""
    stage = {label: key for key, label in STAGE_LABELS}.get(point.get("y"))
    return None if stage is None else (f"funnel_{stage}", None, f"{point['y']} this quarter")


def campaign_row(row: pd.Series) -> tuple[str, str, str] | None:
    """A campaign's row: its leads of the quarter (none to open before it has any)."""
    if pd.isna(row["leads"]):
        return None
    return "campaign_leads", str(row["campaign_id"]), f"Leads from {row['name']} in the quarter"


def funnel_step_row(row: pd.Series) -> tuple[str, str, str] | None:
    """A step's row of the funnel's conversion table (or its breakdown): the leads of its
    cohort that went on (the cohort itself where going on is not recorded)."""
    if pd.isna(row["cohort"]) or str(row.get("value", "")).startswith("(no "):
        return None
    dimension = row.get("dimension")
    item = drill.funnel_step(row["step"], dimension, row.get("value"))
    where = f" · {row['value']}" if dimension else ""
    if pd.isna(row["converted"]):
        return "funnel_step_cohort", item, f"{row['label']}{where}: the cohort"
    return "funnel_step_converted", item, f"{row['label']}{where}: the leads that went on"


def rollup_row(level: str, closed: bool) -> Callable[[pd.Series], tuple[str, str, str]]:
    """A row of the forecast's by-rep, by-team or by-region table: the deals of its reps,
    closed-won for a closed quarter, the open pipeline otherwise (the CLI opens either:
    rep_closed_won, team_open_pipeline, ...)."""
    figure, said = ("closed_won", "closed-won") if closed else ("open_pipeline",
                                                                "open pipeline")
    item = {"rep": "person_id", "team": "team_id", "region": "region"}[level]

    def opens(row: pd.Series) -> tuple[str, str, str]:
        return f"{level}_{figure}", str(row[item]), f"{row[level]}: {said}"
    return opens


def channel_row(row: pd.Series) -> tuple[str, str, str]:
    """A channel's row: its campaigns of the quarter (their leads, pipeline and revenue open
    from the command line: channel_leads, channel_sourced_pipeline, ...)."""
    return "channel_campaigns", str(row["channel"]), f"{row['channel']} campaigns in the quarter"


def goal_actuals(context, goals: pd.DataFrame) -> None:
    """An expander to open the records behind any goal's actual."""
    measured = goals[goals["actual"].notna()]
    if measured.empty:
        return
    with st.expander("The records behind a goal's actual"):
        ids = dict(zip(measured["goal"], measured["goal_id"], strict=True))
        chosen = st.selectbox("Goal", list(ids), key="goals_drill_goal", index=None,
                              placeholder="Choose a goal")
        if chosen is not None:
            goal_records(context, int(ids[chosen]), chosen)
