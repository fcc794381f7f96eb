"""The goals page's interactive parts: sign-off, saving edits, adding and copying goals."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from relay import editing, goals, identity
from relay import format as fmt
from relay.actuals import GOAL_METRICS
from relay.fiscal import Phase
from relay.ui import cache, flash, opened_store, shell, widgets
from relay.views import goals as goals_view

SIDE_TITLES = {"marketing": "Marketing lead", "sales": "Sales lead"}
# What the goals table shows in each phase of the quarter: a closed quarter is a record of
# actuals against target, a current one adds pace, a future one is the plan only.
SHOWN_COLUMNS = {
    Phase.CLOSED: ["goal", "target_shown", "actual_shown", "attainment", "status", "result",
                   "updated_by", "version"],
    Phase.CURRENT: ["goal", "target_shown", "target", "actual_shown", "attainment",
                    "expected_shown", "status", "result", "updated_by", "version"],
    Phase.FUTURE: ["goal", "target_shown", "target", "updated_by", "version"],
}


def goal_columns(currency: str, quarter_phase: Phase, editable: bool) -> dict:
    actual = "Actual" if quarter_phase is Phase.CLOSED else "Actual so far"
    return {
        "goal": st.column_config.TextColumn("Goal"),
        "target_shown": st.column_config.TextColumn("Target"),
        # The raw number stays editable (a data editor formats a column one way, and this
        # one mixes money, counts and rates); the formatted target is beside it.
        "target": st.column_config.NumberColumn(
            "Edit target" if editable else "Target (number)", min_value=0, format="localized",
            help=f"Revenue and pipeline in {currency}; win rate as a share (0.28 = 28%)"),
        "actual_shown": st.column_config.TextColumn(
            actual, help="A dash: the goal can't be measured (the last column says why)"),
        "attainment": st.column_config.NumberColumn("Attainment", format="percent"),
        "expected_shown": st.column_config.TextColumn(
            "Pace: expected by now",
            help="Target × share of the quarter gone (rates: the target itself)"),
        "status": st.column_config.TextColumn("Result" if quarter_phase is Phase.CLOSED
                                              else "Status"),
        "result": st.column_config.TextColumn(
            "By how much" if quarter_phase is Phase.CLOSED else "Against pace",
            help="Rates differ in percentage points"),
        "updated_by": st.column_config.TextColumn("Last changed by"),
        "version": st.column_config.NumberColumn("Version", format="%d"),
    }


HISTORY_COLUMNS = {
    "at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
    "actor": st.column_config.TextColumn("Who"),
    "change": st.column_config.TextColumn("What"),
    "target_before": st.column_config.TextColumn("Target from",
                                                 help="A dash: the goal was created"),
    "target_after": st.column_config.TextColumn("Target to"),
    "version": st.column_config.NumberColumn("Version", format="%d"),
}


@cache.read_again_after_writes()
def history(store_path: str, goal_id: int) -> pd.DataFrame:
    with opened_store.cursor(store_path) as cursor:
        return goals_view.history(cursor, goal_id)


def _connection(context):
    return opened_store.connection(context.store_path)


def _saved(message: str) -> None:
    flash.saved(message, reset_prefixes=flash.GOAL_STATE_PREFIXES)


def save_edits(context, edits: list[goals.TargetEdit]) -> None:
    try:
        changed = goals.save_targets(_connection(context), edits)
    except goals.GoalConflict as conflict:
        # Shown by changed_by_others on every run from now on, with its reload button: a
        # button drawn here would vanish on the very rerun its click starts.
        st.session_state["goals_conflict"] = str(conflict)
        st.rerun()
    except goals.GoalError as error:
        st.error(widgets.plain(error), icon=":material/error:")
        return
    _saved(f"Saved {changed} goal{'s' if changed != 1 else ''}.")


def changed_by_others(changed: pd.DataFrame) -> None:
    """Say which goals someone else saved while this user had the page open (and why a
    save was refused), with a way to reload."""
    refused = st.session_state.get("goals_conflict")
    if refused:
        st.error(widgets.plain(refused), icon=":material/sync_problem:")
    if changed.empty and not refused:
        return
    lines = "\n".join(
        "- " + widgets.plain(f"{row.goal}: {row.target_shown} by {row.updated_by} "
                             f"(version {row.version})")
        for row in changed.itertuples()
    )
    if lines:
        st.warning(
            "Saved by someone else since you opened this page — the table shows their "
            "values, and a change of yours to these goals will be refused until you reload:\n"
            + lines,
            icon=":material/group:",
        )
    if st.button("Reload and continue from the current goals", key="goals_reload"):
        _saved("Reloaded the goals as they are now.")


def target_editor(context, table: pd.DataFrame, quarter_phase: Phase) -> None:
    """The goals by team, their targets editable in place, saved all or none."""
    st.caption("Edit a target in place and save; every save is versioned and audited.")
    seen = st.session_state.setdefault(f"goals_seen_{context.filters}", editing.snapshot(table))
    changed_by_others(editing.changed_since(table, seen))
    edits = []
    for team in ("shared", "marketing", "sales"):
        shown = table[table["owner_team"] == team].reset_index(drop=True)
        if shown.empty:
            continue
        st.markdown(f"**{team.capitalize()} goals**")
        edited = st.data_editor(
            shown, key=f"goals_editor_{team}_{context.filters}", hide_index=True,
            disabled=[c for c in shown.columns if c != "target"],
            column_order=SHOWN_COLUMNS[quarter_phase], placeholder=fmt.MISSING,
            column_config=goal_columns(context.settings.currency, quarter_phase, True),
        )
        edits += editing.target_edits(shown, edited, seen)
    if st.button("Save changes", type="primary", disabled=not edits,
                 help="Saves every edited target in one go, or none of them."):
        save_edits(context, edits)


def read_only_targets(table: pd.DataFrame, currency: str, quarter_phase: Phase) -> None:
    """The goals by team as a table nobody can type in: for those who may not edit them,
    and for a closed quarter (a record)."""
    for team in ("shared", "marketing", "sales"):
        shown = table[table["owner_team"] == team]
        if shown.empty:
            continue
        st.markdown(f"**{team.capitalize()} goals**")
        columns = [c for c in SHOWN_COLUMNS[quarter_phase] if c != "target"]
        widgets.table(shown, goal_columns(currency, quarter_phase, False),
                      column_order=columns)


@cache.read_again_after_writes()
def signers(store_path: str, side: str) -> list[str]:
    """The people of the side's team, who may sign for it on a shared laptop."""
    with opened_store.cursor(store_path) as cursor:
        return goals.signers(cursor, side)


def _session_id() -> str | None:
    run = get_script_run_ctx(suppress_warning=True)
    return None if run is None else run.session_id


def signoff_panel(signoffs: pd.DataFrame, quarter: str, has_goals: bool,
                  seen_revision: int, may_sign: bool, closed: bool = False,
                  changes: pd.DataFrame | None = None, key: str = "goals") -> None:
    """Who agreed to the quarter's plan and when; once a side signed, its signature takes
    the place of its button. A later change marks the plan "changed since signed" with what
    changed. A planner signs the goals as this page shows them: signed in, as themselves;
    on a shared laptop, as the person of that side's team they pick. A closed quarter's
    sign-off is a record: who signed and when, or that nobody did."""
    state = signoffs.set_index("side") if len(signoffs) else pd.DataFrame()
    agreed = len(state) == 2 and bool(state["is_current"].all())
    st.subheader("Plan sign-off")
    if agreed:
        st.success(f"The {quarter} plan is agreed by marketing and sales.",
                   icon=":material/handshake:")
    if changes is not None and not changes.empty and not closed:
        st.warning(f"**Changed since signed**: the {quarter} goals differ from the plan as "
                   "signed. Both sides sign again to agree to them.", icon=":material/edit:")
        widgets.table(changes, column_order=["goal", "change"], column_config={
            "goal": "Goal", "change": st.column_config.TextColumn(
                "Signed → now", help="A dash: the goal was added or removed since")})
    context = shell.context()
    local = identity.current().how is not identity.ActorKind.SIGNED_IN
    columns = st.columns(2)
    for column, side in zip(columns, ("marketing", "sales"), strict=True):
        with column:
            current = side in state.index and bool(state.loc[side]["is_current"])
            if side in state.index:
                row = state.loc[side]
                when = f"{row['signed_at']:%d %b %Y %H:%M}"
                who = widgets.plain(row["signed_by"])
                if current:
                    st.markdown(f"**{SIDE_TITLES[side]}:** :material/verified: agreed by "
                                f"{who} on {when}")
                else:
                    st.markdown(f"**{SIDE_TITLES[side]}:** :orange[changed since signed] — "
                                f"signed by {who} on {when}")
            else:
                st.markdown(f"**{SIDE_TITLES[side]}:** "
                            + ("not signed" if closed else "not signed yet"))
            if not may_sign or closed or current:
                continue
            signer = None
            if local:
                people = signers(context.store_path, side)
                signer = st.selectbox(f"Who signs for {side}", people, index=None,
                                      placeholder=f"Pick from the {side} team",
                                      key=f"{key}_signer_{side}_{quarter}")
            who_signs = signer or identity.acting_user()
            if st.button(f"Sign off as {SIDE_TITLES[side].lower()}", key=f"{key}_sign_{side}",
                         disabled=not has_goals or (local and signer is None),
                         help=f"Records {widgets.plain(who_signs)} agreeing to the goals "
                              "as shown."):
                try:
                    goals.sign_off(_connection(context), quarter, side, seen_revision,
                                   signer=signer, session=_session_id())
                except goals.GoalError as error:
                    st.error(widgets.plain(error))
                else:
                    _saved(f"{who_signs} signed the {quarter} plan for {side}.")


def add_goal_form(context) -> None:
    with st.expander("Add a goal"):
        with st.form("goals_add", clear_on_submit=False, border=False):
            quarter = str(context.filters.quarter)
            metric = st.selectbox("Metric", list(GOAL_METRICS), format_func=GOAL_METRICS.get)
            region = st.selectbox("Region", ["All regions", *shell.filter_options(context).regions])
            segment = st.selectbox("Segment",
                                   ["All segments", *shell.filter_options(context).segments])
            target = st.text_input("Target", placeholder="e.g. 2500000, or 0.28 for a win rate")
            owner = st.selectbox("Owner team", goals.OWNER_TEAMS, index=2)
            if st.form_submit_button(f"Add to {quarter}"):
                try:
                    goals.add_goal(
                        _connection(context), quarter, metric,
                        None if region == "All regions" else region,
                        None if segment == "All segments" else segment,
                        target, owner,
                    )
                except goals.GoalError as error:
                    st.error(widgets.plain(error), icon=":material/error:")
                else:
                    _saved(f"Added the {metric} goal to {quarter}.")


def copy_last_quarter_form(context) -> None:
    quarter = context.filters.quarter
    st.subheader("Start from last quarter")
    with st.form("goals_copy", border=False):
        growth = st.number_input(f"Grow {quarter.shift(-1)}'s goals by (%)", value=5.0,
                                 min_value=-99.0, max_value=1000.0, step=1.0)
        if st.form_submit_button(f"Copy {quarter.shift(-1)} goals into {quarter}"):
            try:
                count = goals.copy_from_previous(
                    _connection(context), str(quarter), growth,
                    context.settings.fiscal_year_start_month,
                )
            except goals.GoalError as error:
                st.error(widgets.plain(error), icon=":material/error:")
            else:
                _saved(f"Copied {count} goals into {quarter}, grown by {growth:g}%.")
