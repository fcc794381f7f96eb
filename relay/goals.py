"""Changing joint goals: edits, new goals, copying last quarter, saving a plan, sign-off.

Every change is one transaction that also writes the audit log and bumps the goal's
version. A save names the version the user saw; if someone else saved the goal since, the
whole save is refused with who changed it and the value it has now.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

import duckdb

from relay import clock, identity, settings, sql, store
from relay.filters import scope_label
from relay.fiscal import Phase, Quarter, QuarterError
from relay.identity import Role

OWNER_TEAMS = ("marketing", "sales", "shared")
SIDES = ("marketing", "sales")
DEFAULT_OWNER_TEAM = {
    "revenue": "shared", "pipeline": "shared", "pipeline_closed": "sales",
    "mqls": "marketing", "sals": "sales",
    "sqls": "sales", "win_rate": "sales",
}
# Rates are not scaled when a quarter's goals are grown from the last one.
RATE_METRICS = {"win_rate"}
MONEY_METRICS = {"revenue", "pipeline", "pipeline_closed"}  # in the store's currency


class GoalError(ValueError):
    """A goal change that cannot be made as asked; nothing was saved."""


class GoalBusy(GoalError):
    """Another save of the same goals was in progress at the same moment; nothing was saved."""


class GoalConflict(Exception):
    """Someone else saved the goal after the user loaded it; nothing was saved."""

    def __init__(self, goal: dict[str, Any], seen_version: int):
        self.goal = goal
        who = goal["updated_by"]
        when = goal["updated_at"]
        super().__init__(
            f"{_describe(goal)} was changed by {who} at {when:%d %b %Y %H:%M} after you loaded "
            f"it (you saw version {seen_version}, it is now version {goal['version']}, target "
            f"{format_target(goal['target'], goal['metric'])}). Nothing was saved; reload to see "
            "their change."
        )


@dataclass(frozen=True)
class TargetEdit:
    goal_id: int
    seen_version: int
    target: Any  # as typed: validated on save


def _goal_for(cursor, quarter: str, metric: str, region: str | None,
              segment: str | None) -> dict[str, Any] | None:
    goals = sql.records(cursor, "goals_for_breakdown", quarter=quarter, region=region,
                        segment=segment)
    return next((goal for goal in goals if goal["metric"] == metric), None)


def _refuse_closed(cursor, quarter: str) -> None:
    """Refuse a change to a quarter that has ended: its goals and sign-offs are the record
    the review judges against (the pages hide these controls; this holds for every caller)."""
    start_month = settings.load(cursor).fiscal_year_start_month
    closed = parse_quarter(quarter, start_month)
    if closed.phase(clock.today()) is Phase.CLOSED:
        raise GoalError(f"{quarter} is closed (it ended on {closed.last_day:%d %b %Y}): its "
                        "goals and sign-offs are a record and can no longer be changed.")


def _write(connection: duckdb.DuckDBPyConnection, work, quarters: set[str],
           idempotent_insert: bool = False):
    # Every row a change to goals writes (goals, revisions, sign-offs, the audit of them)
    # belongs to its quarters: the pages of other quarters stay cached (relay.ui.cache).
    return store.write(connection, work, busy=GoalBusy, idempotent_insert=idempotent_insert,
                       quarters=quarters)


def _change_quarter(connection: duckdb.DuckDBPyConnection, quarters: set[str], work):
    """Run `work(cursor, at)` as one change to the goals of `quarters`: the quarters'
    revisions are bumped first, so a concurrent change to the same quarter collides here
    (and is retried or refused) before either checks what exists."""

    def ensure(cursor) -> None:
        for quarter in quarters:
            _refuse_closed(cursor, quarter)
            sql.execute(cursor, "ensure_plan_revision", quarter=quarter, at=clock.now())

    # Two first changes to a quarter both insert its row: the later one is retried.
    _write(connection, ensure, quarters, idempotent_insert=True)

    def change(cursor):
        at = clock.now()  # taken inside the transaction: retries get a fresh time
        for quarter in sorted(quarters):
            _refuse_closed(cursor, quarter)
            sql.execute(cursor, "bump_plan_revision", quarter=quarter, at=at)
        return work(cursor, at)

    return _write(connection, change, quarters)


def revision(cursor: duckdb.DuckDBPyConnection, quarter: str) -> int:
    """How many changes the quarter's goals have had: a sign-off agrees to one revision."""
    return sql.row(cursor, "plan_revision", quarter=quarter)["revision"]


def _describe(goal: dict[str, Any]) -> str:
    scope = scope_label(goal["region"], goal["segment"])
    return f"The {goal['quarter']} {goal['metric']} goal ({scope})"


def format_target(value: float, metric: str = "") -> str:
    """A target in a message: 28% for a rate, 120,660,000 for an amount or count."""
    if metric in RATE_METRICS:
        return f"{value:.0%}"
    return f"{value:,.4g}" if value < 1 else f"{value:,.0f}"


def parse_quarter(text: str, start_month: int = 1) -> Quarter:
    try:
        return Quarter.parse(text, start_month)
    except QuarterError as error:
        raise GoalError(str(error)) from error


def validate_target(metric: str, value: Any) -> float:
    """A target as a float, or GoalError saying what is wrong with it."""
    try:
        number = float(str(value).replace(",", "").strip()) if isinstance(value, str) else float(
            value
        )
    except (TypeError, ValueError):
        raise GoalError(f"The {metric} target {value!r} is not a number.") from None
    if math.isnan(number) or math.isinf(number):
        raise GoalError(f"The {metric} target must be a number, not {value!r}.")
    if number < 0:
        raise GoalError(f"The {metric} target cannot be negative ({number:,.0f}).")
    if metric in RATE_METRICS and not 0 < number <= 1:
        raise GoalError(
            f"The {metric} target is a rate: a number above 0 and at most 1 (0.28 for 28%), "
            f"not {value!r}."
        )
    return number


def _audit(cursor, actor: str, action: str, goal_id: int, before, after, at) -> None:
    sql.execute(cursor, "insert_audit", at=at, actor=actor, action=action, entity="goal",
                entity_id=str(goal_id), before=None if before is None else json.dumps(before,
                                                                                     default=str),
                after=json.dumps(after, default=str))


def _snapshot(goal: dict[str, Any]) -> dict[str, Any]:
    return {key: goal[key] for key in ("quarter", "metric", "region", "segment", "target",
                                       "owner_team", "version")}


def _update(cursor, goal: dict[str, Any], seen_version: int, target: float, actor: str,
            at: dt.datetime) -> None:
    (updated,) = sql.row(cursor, "update_goal_target", goal_id=goal["goal_id"],
                         expected_version=seen_version, target=target, actor=actor,
                         at=at).values()
    if updated != 1:
        raise GoalConflict(sql.row(cursor, "goal_by_id", goal_id=goal["goal_id"]), seen_version)
    after = {**_snapshot(goal), "target": target, "version": seen_version + 1}
    _audit(cursor, actor, "goal.update", goal["goal_id"], _snapshot(goal), after, at)


def _planner(action: str) -> str:
    """The audit name of the acting person, who must be a planner."""
    return identity.require(Role.PLANNER, action).audit_name


def save_targets(connection: duckdb.DuckDBPyConnection, edits: list[TargetEdit]) -> int:
    """Save edited targets, all or none; returns how many goals changed."""
    actor = _planner("changing goals")
    if not edits:
        return 0
    with sql.cursor(connection) as cursor:
        quarters = {
            goal["quarter"] for goal in (
                sql.row(cursor, "goal_by_id", goal_id=edit.goal_id) for edit in edits
            ) if goal["quarter"] is not None
        }

    def work(cursor, at) -> int:
        changed = 0
        for edit in edits:
            goal = sql.row(cursor, "goal_by_id", goal_id=edit.goal_id)
            if goal["goal_id"] is None:
                raise GoalError(f"Goal {edit.goal_id} no longer exists; reload the page.")
            target = validate_target(goal["metric"], edit.target)
            if goal["version"] != edit.seen_version:
                raise GoalConflict(goal, edit.seen_version)
            if target == goal["target"]:
                continue
            _update(cursor, goal, edit.seen_version, target, actor, at)
            changed += 1
        return changed

    return _change_quarter(connection, quarters, work)


def add_goal(connection: duckdb.DuckDBPyConnection, quarter: str, metric: str,
             region: str | None, segment: str | None, target: Any, owner_team: str) -> int:
    """A new goal; refused if the quarter already has one for that metric and breakdown."""
    actor = _planner("adding a goal")
    parse_quarter(quarter)
    metric = metric.strip().lower().replace(" ", "_")
    if not metric:
        raise GoalError("Name the metric of the goal (e.g. revenue, mqls).")
    if owner_team not in OWNER_TEAMS:
        raise GoalError(f"The owner team must be one of {', '.join(OWNER_TEAMS)}, "
                        f"not {owner_team!r}.")
    value = validate_target(metric, target)

    def work(cursor, at) -> int:
        existing = _goal_for(cursor, quarter, metric, region, segment)
        if existing is not None:
            raise GoalError(f"{_describe(existing)} already exists (target "
                            f"{format_target(existing['target'], metric)}); edit it instead.")
        return _insert(cursor, quarter, metric, region, segment, value, owner_team, actor, at)

    return _change_quarter(connection, {quarter}, work)


def _insert(cursor, quarter, metric, region, segment, target, owner_team, actor, at) -> int:
    goal_id = sql.scalar(cursor, "insert_goal", quarter=quarter, metric=metric, region=region,
                         segment=segment, target=target, owner_team=owner_team, actor=actor,
                         at=at)
    after = {"quarter": quarter, "metric": metric, "region": region, "segment": segment,
             "target": target, "owner_team": owner_team, "version": 1}
    _audit(cursor, actor, "goal.create", goal_id, None, after, at)
    return goal_id


def copy_from_previous(connection: duckdb.DuckDBPyConnection, quarter: str, growth_percent: Any,
                       start_month: int = 1) -> int:
    """Fill an empty quarter with last quarter's goals grown by `growth_percent` (rates kept
    as they were); returns how many goals were created."""
    actor = _planner("copying goals")
    target_quarter = parse_quarter(quarter, start_month)
    try:
        growth = float(growth_percent)
    except (TypeError, ValueError):
        raise GoalError(f"The growth {growth_percent!r} is not a number of percent.") from None
    if not -100 < growth <= 1000:
        raise GoalError(f"A growth of {growth}% is not believable; give a percent above "
                        f"-100 and at most 1000.")
    previous = str(target_quarter.shift(-1))

    def work(cursor, at) -> int:
        if sql.records(cursor, "goals_for_quarter", quarter=quarter):
            raise GoalError(f"{quarter} already has goals; copying only fills an empty quarter.")
        source = sql.records(cursor, "goals_for_quarter", quarter=previous)
        if not source:
            raise GoalError(f"{previous} has no goals to start from.")
        for goal in source:
            factor = 1 if goal["metric"] in RATE_METRICS else 1 + growth / 100
            target = round(goal["target"] * factor, 4 if goal["target"] < 1 else 0)
            _insert(cursor, quarter, goal["metric"], goal["region"], goal["segment"],
                    target, goal["owner_team"], actor, at)
        return len(source)

    return _change_quarter(connection, {quarter}, work)


Breakdown = tuple[str | None, str | None]  # (region, segment); None = all


def save_plan(connection: duckdb.DuckDBPyConnection, quarter: str, region: str | None,
              segment: str | None, targets: dict[str, float],
              seen_versions: dict[str, int | None]) -> int:
    """Store a plan's targets as the quarter's goals for one breakdown (save_plan_rows)."""
    return save_plan_rows(connection, quarter, {(region, segment): targets},
                          {(region, segment, metric): version
                           for metric, version in seen_versions.items()})


def save_plan_rows(connection: duckdb.DuckDBPyConnection, quarter: str,
                   rows: dict[Breakdown, dict[str, float]],
                   seen_versions: dict[tuple[str | None, str | None, str], int | None]) -> int:
    """Store a plan's targets as the quarter's goals, for the company and any region or
    segment rows, all or none: existing goals are updated (if still at the version the
    planner saw, keyed (region, segment, metric)), missing ones created. Returns how many
    goals changed."""
    actor = _planner("saving a plan as goals")
    parse_quarter(quarter)
    values = {
        breakdown: {metric: validate_target(metric, value) for metric, value in targets.items()}
        for breakdown, targets in rows.items()
    }

    def work(cursor, at) -> int:
        changed = 0
        for (region, segment), targets in values.items():
            for metric, target in targets.items():
                goal = _goal_for(cursor, quarter, metric, region, segment)
                seen = seen_versions.get((region, segment, metric))
                if goal is None:
                    if seen is not None:
                        raise GoalError(f"The {quarter} {metric} goal was removed since you "
                                        "loaded the page; reload it.")
                    _insert(cursor, quarter, metric, region, segment, target,
                            DEFAULT_OWNER_TEAM.get(metric, "shared"), actor, at)
                    changed += 1
                elif seen is None or goal["version"] != seen:
                    raise GoalConflict(goal, seen or 0)
                elif goal["target"] != target:
                    _update(cursor, goal, seen, target, actor, at)
                    changed += 1
        return changed

    return _change_quarter(connection, {quarter}, work)


def signers(cursor: duckdb.DuckDBPyConnection, side: str) -> list[str]:
    """Who may sign for `side` on a shared laptop: the names of that team's people."""
    return [person["name"] for person in sql.records(cursor, "people_of_team", team=side)]


def sign_off(connection: duckdb.DuckDBPyConnection, quarter: str, side: str,
             seen_revision: int, signer: str | None = None, session: str | None = None) -> str:
    """Record that the marketing or sales lead agrees to the quarter's goals as they saw them
    (`seen_revision`), keep those goals as the plan as signed, and return who signed.

    Signed in, each side signs from their own session, as themselves. In the room (local
    mode, one laptop), the person acting picks who signs for the side from that team's
    people (`signer`); the record names them, the audit names the session it came from.
    Refused if the goals changed since, or if the signer already agreed for the other side."""
    actor = identity.require(Role.PLANNER, "signing a plan off")
    parse_quarter(quarter)
    if side not in SIDES:
        raise GoalError(f"A plan is signed off by marketing or sales, not {side!r}.")

    def work(cursor) -> str:
        _refuse_closed(cursor, quarter)
        if not sql.records(cursor, "goals_for_quarter", quarter=quarter):
            raise GoalError(f"{quarter} has no goals to sign off yet.")
        current = revision(cursor, quarter)
        if current != seen_revision:
            raise GoalError(
                f"The {quarter} goals changed while you were looking at them (revision "
                f"{seen_revision} became {current}). Reload, review the change and sign again."
            )
        signed_by = _signer(cursor, actor, side, signer)
        # A joint plan takes two people: whoever agreed for one side cannot for the other.
        other = [row for row in sql.records(cursor, "signoff_state", quarter=quarter)
                 if row["side"] != side and row["is_current"]]
        if other and other[0]["signed_by"] == signed_by:
            raise GoalError(f"{signed_by} already agreed to the {quarter} plan for "
                            f"{other[0]['side']}; the other side signs as someone else.")
        at = clock.now()
        sql.execute(cursor, "insert_signoff", quarter=quarter, side=side, signed_by=signed_by,
                    signed_at=at, revision=current)
        sql.execute(cursor, "keep_signed_goals", quarter=quarter, revision=current, at=at)
        sql.execute(cursor, "insert_audit", at=at, actor=actor.audit_name,
                    action="plan.sign_off", entity="plan", entity_id=quarter, before=None,
                    after=json.dumps({"side": side, "revision": current,
                                      "signed_by": signed_by, "session": session,
                                      "how": str(actor.how)}))
        return signed_by

    return _write(connection, work, {quarter})


def _signer(cursor, actor: identity.Actor, side: str, signer: str | None) -> str:
    """Who the sign-off names. Signed in: the person of the session, nobody else. On a
    shared laptop: the one picked from the side's team (or, with nobody picked, the acting
    user, as the command line signs)."""
    if actor.how is identity.ActorKind.SIGNED_IN:
        if signer not in (None, actor.audit_name, actor.name):
            raise GoalError(f"Signed in as {actor.audit_name}, you sign as yourself: "
                            f"{signer} signs from their own session.")
        # A side's agreement is its own team's: the session's person (by email) must be one
        # of that team's people, or any planner could agree for either side.
        team = sql.records(cursor, "people_of_team", team=side)
        if not any(actor.is_person(person["name"], person["email"]) for person in team):
            raise GoalError(f"Signed in as {actor.audit_name}, you are not one of the {side} "
                            f"team's people; someone of the {side} team signs for {side} "
                            "from their own session.")
        return actor.audit_name
    if signer is None:
        return actor.audit_name
    team = signers(cursor, side)
    if signer not in team:
        raise GoalError(f"{signer} is not one of the {side} team's people "
                        f"({', '.join(team) or 'nobody'}); pick who signs for {side}.")
    return signer
