"""Turning what a planner typed into the goals table into goal edits, and noticing goals
someone else saved meanwhile."""

from __future__ import annotations

import pandas as pd

from relay.goals import TargetEdit


def snapshot(goals: pd.DataFrame) -> dict[int, int]:
    """{goal_id: version} as the user first saw the goals: saves are checked against it."""
    return dict(zip(goals["goal_id"].astype(int), goals["version"].astype(int), strict=True))


def target_edits(shown: pd.DataFrame, edited: pd.DataFrame,
                 seen: dict[int, int]) -> list[TargetEdit]:
    """The goals whose target the user changed in the editor, with the version they saw."""
    edits = []
    for (_, before), (_, after) in zip(shown.iterrows(), edited.iterrows(), strict=True):
        new = after["target"]
        if pd.isna(new) or new != before["target"]:
            goal_id = int(before["goal_id"])
            edits.append(TargetEdit(goal_id, seen.get(goal_id, int(before["version"])), new))
    return edits


def changed_since(goals: pd.DataFrame, seen: dict[int, int]) -> pd.DataFrame:
    """Goals someone saved after the user first saw them (a newer version than seen)."""
    first_seen = goals["goal_id"].astype(int).map(seen)
    return goals[first_seen.notna() & (goals["version"] != first_seen)]
