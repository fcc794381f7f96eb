"""The planning meeting's steps: review, plan (from last quarter or the demand planner, split
across regions or segments, reconciled), agree (the goals grid) and sign."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from relay import format as fmt
from relay import goals
from relay.actuals import GOAL_METRICS
from relay.filters import Filters
from relay.fiscal import Phase, Quarter
from relay.ui import cache, flash, opened_store, widgets
from relay.ui import goals as goals_ui
from relay.views import meeting, plan
from relay.views.common import View

REVIEW_COLUMNS = {
    "goal": st.column_config.TextColumn("Goal"),
    "signed_shown": st.column_config.TextColumn(
        "Target as signed", help="A dash: nobody signed the plan; the goal is judged instead"),
    "target_shown": st.column_config.TextColumn("Target now"),
    "actual_shown": st.column_config.TextColumn("Actual", help="A dash: can't be measured"),
    "attainment": st.column_config.NumberColumn("Of the plan", format="percent"),
    "status": st.column_config.TextColumn("Result"),
    "result": st.column_config.TextColumn("By how much", help="Rates differ in points"),
    "judged_on": st.column_config.TextColumn("Judged on"),
}
RECONCILIATION_COLUMNS = {
    "rows": st.column_config.TextColumn("Rows"),
    "goal": st.column_config.TextColumn("Goal"),
    "company_shown": st.column_config.TextColumn("Company goal",
                                                 help="A dash: no company-wide goal"),
    "rows_shown": st.column_config.TextColumn("Rows add up to"),
    "difference_shown": st.column_config.TextColumn("Difference (rows − company)"),
    "verdict": st.column_config.TextColumn("Where it doesn't add up"),
}


def _saved(message: str) -> None:
    flash.saved(message, reset_prefixes=flash.GOAL_STATE_PREFIXES)


def review(view: View, currency: str, reviewed: Quarter) -> None:
    table = view.tables["review"]
    if table.empty:
        st.info(f"No goals were set for {reviewed}: there is nothing to review.")
        return
    judged = table[table["status"].isin(["Hit", "Missed"])]
    st.metric(f"Goals hit in {reviewed}, against the plan as signed",
              f"{fmt.count((judged['status'] == 'Hit').sum())} of {fmt.count(len(judged))}",
              help="Each goal's actual against its target as signed (or, never signed, its "
                   "target); goals that can't be measured are left out.")
    widgets.table(table, REVIEW_COLUMNS, column_order=list(REVIEW_COLUMNS))
    st.markdown("**What drove the misses**")
    drivers = view.tables["drivers"]
    if drivers.empty:
        st.caption("Nothing fell short of its goal, and no channel brought fewer MQLs.")
    else:
        widgets.table(drivers, {"driver": "What", "where": "Where", "figure": "Figures"})
    goals_ui.signoff_panel(view.tables["review_signoffs"], str(reviewed), has_goals=True,
                           seen_revision=0, may_sign=False, closed=True, key="meeting_review")


def start(context, quarter: Quarter, has_goals: bool) -> None:
    """Fill an empty quarter from last quarter's goals, grown."""
    if has_goals:
        st.caption(f"{quarter} has goals already; the planner below updates them.")
        return
    growth = st.number_input(f"Grow {quarter.shift(-1)}'s goals by (%)", value=5.0,
                             min_value=-99.0, max_value=1000.0, step=1.0,
                             key="meeting_growth")
    if st.button(f"Start from {quarter.shift(-1)}'s goals", key="meeting_copy"):
        try:
            count = goals.copy_from_previous(
                opened_store.connection(context.store_path), str(quarter), growth,
                context.settings.fiscal_year_start_month)
        except goals.GoalError as error:
            st.error(widgets.plain(error), icon=":material/error:")
        else:
            _saved(f"Started {quarter} from {count} goals of {quarter.shift(-1)}, grown by "
                   f"{growth:g}%.")


def planner(context, quarter: Quarter, stored: pd.DataFrame) -> None:
    """The demand planner for the company, split across regions or segments by their share
    of the look-back quarters, editable, reconciled, and saved all at once."""
    currency = context.settings.currency
    target = st.number_input(
        f"Company revenue target for {quarter} (whole {currency})", min_value=0.0,
        step=100_000.0, format="%.0f", value=None, placeholder="the stored revenue goal",
        key="meeting_revenue", help="Leave empty to plan from the stored company revenue goal.")
    planned = cache.view("plan", context.store_path, Filters(quarter), context.today,
                         revenue_target=target)
    if planned.problems:
        for problem in planned.problems:
            st.warning(widgets.plain(problem), icon=":material/edit_note:")
        return
    company, _ = plan.targets_and_versions(planned)
    widgets.metric_row(planned, [("revenue_target", None), ("pipeline_needed", None),
                                 ("mqls_needed", None), ("sqls_needed", None)], currency)
    dimension = st.radio("Split across", list(meeting.DIMENSIONS),
                         format_func=meeting.DIMENSIONS.get, horizontal=True,
                         key="meeting_dimension")
    rows = split(context.store_path, quarter, context.today, tuple(sorted(company.items())),
                 dimension)
    st.caption("Each row's share of the look-back quarters' own figure (revenue of closed-won, "
               "pipeline closed, MQLs…). Edit any cell; the reconciliation follows.")
    config = {"row": st.column_config.TextColumn(meeting.DIMENSIONS[dimension][:-1]),
              "share": widgets.percent_column("Share of revenue", help="In the look-back "
                                              "quarters; a dash: none")}
    for metric in meeting.SPLIT_METRICS:
        if metric in rows.columns:
            config[metric] = st.column_config.NumberColumn(
                GOAL_METRICS[metric], min_value=0, format="localized",
                help="A dash: no goal is saved for this row")
    if "win_rate" in rows.columns:
        config["win_rate"] = widgets.percent_column(
            "Win rate (company-wide)", help="Saved as the company's win-rate goal; a rate is "
            "not split, so a dash on a row: no win-rate goal is saved for it")
    edited = st.data_editor(rows, hide_index=True, disabled=["row", "share"],
                            column_config=config, placeholder=fmt.MISSING,
                            key=f"meeting_plan_split_{quarter}_{dimension}_{target}")
    st.markdown("**Reconciliation**")
    widgets.table(meeting.reconciliation_of(edited, currency), RECONCILIATION_COLUMNS,
                  column_order=["goal", "company_shown", "rows_shown", "difference_shown",
                                "verdict"])
    to_save = meeting.split_targets(edited, dimension)
    # The company row also takes the goals that do not split (win rate).
    to_save[(None, None)] = {**company, **to_save[(None, None)]}
    seen = st.session_state.setdefault(f"meeting_plan_seen_{quarter}",
                                       meeting.seen_versions(stored))
    label = f"Save as the {quarter} goals: company and {len(edited) - 1} " \
            f"{meeting.DIMENSIONS[dimension].lower()}"
    if st.button(label, type="primary", key="meeting_save_split"):
        try:
            changed = goals.save_plan_rows(opened_store.connection(context.store_path),
                                           str(quarter), to_save, seen)
        except (goals.GoalConflict, goals.GoalError) as error:
            st.error(widgets.plain(error), icon=":material/sync_problem:")
        else:
            _saved(f"Saved the {quarter} plan: {changed} goals changed.")


@cache.read_again_after_writes(show_spinner="Splitting the plan…")
def split(store_path: str, quarter: Quarter, today, company: tuple, dimension: str):
    with opened_store.cursor(store_path) as cursor:
        return meeting.split_rows(cursor, quarter, today, dict(company), dimension)


def agree(context, view: View, quarter: Quarter, phase: Phase, may_edit: bool) -> None:
    table = view.tables["goals"]
    reconciliation = view.tables["reconciliation"]
    if not reconciliation.empty:
        st.markdown("**Do the rows add up to the company goals?**")
        widgets.table(reconciliation, RECONCILIATION_COLUMNS, column_order=[
            "rows", "goal", "company_shown", "rows_shown", "difference_shown", "verdict"])
    if table.empty:
        st.info(f"{quarter} has no goals yet: start them in step 2.")
        return
    here = dataclasses.replace(context, filters=Filters(quarter))
    if may_edit and phase is not Phase.CLOSED:
        goals_ui.target_editor(here, table, phase)
    else:
        goals_ui.read_only_targets(table, context.settings.currency, phase)


def sign(view: View, quarter: Quarter, phase: Phase, may_sign: bool) -> None:
    seen_revision = st.session_state.setdefault(f"goals_seen_revision_meeting_{quarter}",
                                                int(view.value("plan_revision")))
    goals_ui.signoff_panel(view.tables["signoffs"], str(quarter),
                           has_goals=not view.tables["goals"].empty,
                           seen_revision=seen_revision, may_sign=may_sign,
                           closed=phase is Phase.CLOSED,
                           changes=view.tables["changed_since_signed"], key="meeting")
