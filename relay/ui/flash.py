"""The confirmation after a save: shown on the runs that follow it, for a few seconds."""

from __future__ import annotations

import time

import streamlit as st

from relay.ui.widgets import plain

# Session state that holds what a user saw of the goals: stale after any goal write.
GOAL_STATE_PREFIXES = ("goals_editor_", "goals_seen_", "goals_conflict", "planner_seen_",
                       "meeting_plan_")
# The browser may rerun a page once more right after a save (its editors were reset), so a
# confirmation stays for a few seconds rather than for exactly one run.
FLASH_SECONDS = 8


def saved(message: str, reset_prefixes: tuple[str, ...] = ()) -> None:
    """After a write: drop the named widget state, confirm, rerun. The cached figures that
    read what the write changed are recomputed already (relay.ui.cache hears each commit)."""
    if reset_prefixes:
        for key in [k for k in st.session_state if str(k).startswith(reset_prefixes)]:
            del st.session_state[key]
    st.session_state["shell_flash"] = (message, time.monotonic())
    st.rerun()


def show_flash() -> None:
    message, shown_at = st.session_state.get("shell_flash", (None, 0.0))
    if message and time.monotonic() - shown_at < FLASH_SECONDS:
        st.success(plain(message), icon=":material/check_circle:")
    else:
        st.session_state.pop("shell_flash", None)
