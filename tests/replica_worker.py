"""One app replica as its own process, for tests/test_postgres.py: it opens its copy of the
shared store as the dashboard does (RELAY_STORE, RELAY_DB, store.open_store), follows the
change log in the background, and answers one JSON command per line on stdin."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from relay import goals, importing, replica, sql, store
from relay.identity import Actor, ActorKind, Role, acting_as

changed = threading.Condition()


def _heard(path, tables, quarters) -> None:
    with changed:
        changed.notify_all()


def _goal(connection, goal_id: int) -> list:
    with sql.cursor(connection) as cursor:
        found = sql.row(cursor, "goal_by_id", goal_id=goal_id)
    return [found["target"], found["version"]]


def _count(connection, table: str) -> int:
    with sql.cursor(connection) as cursor:
        return sql.scalar(cursor, "count_rows", identifiers={"table": table})


def answer(connection, command: dict) -> dict:
    kind = command["do"]
    with acting_as(Actor(command.get("as", "Pat Planner"), Role.ADMIN, how=ActorKind.LOCAL)):
        if kind == "goal":
            return {"goal": _goal(connection, command["goal_id"])}
        if kind == "wait_goal":  # until the copy holds the target, or the time is up
            wanted = command["target"]
            with changed:
                changed.wait_for(lambda: _goal(connection, command["goal_id"])[0] == wanted,
                                 timeout=command["timeout"])
            return {"goal": _goal(connection, command["goal_id"])}
        if kind == "wait_count":
            with changed:
                changed.wait_for(lambda: _count(connection, command["table"])
                                 >= command["at_least"], timeout=command["timeout"])
            return {"count": _count(connection, command["table"])}
        if kind == "save_goal":
            try:
                goals.save_targets(connection, [goals.TargetEdit(
                    command["goal_id"], command["version"], command["target"])])
            except goals.GoalConflict as refused:
                return {"refused": str(refused)}
            return {"saved": True}
        if kind == "import":
            outcome = importing.run(connection, Path(command["file"]), command["table"],
                                    file_name=Path(command["file"]).name)
            return {"written": outcome.written}
    raise ValueError(f"unknown command {kind!r}")


def main() -> None:
    connection = store.open_store(store.default_path())
    store.on_commit(_heard)
    copy = replica.for_path(store.default_path())
    copy.follow()
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            try:
                reply = answer(connection, json.loads(line))
            except Exception as error:  # noqa: BLE001 (the test reads what failed)
                reply = {"error": f"{type(error).__name__}: {error}"}
            print(json.dumps(reply, default=str), flush=True)
    finally:
        copy.close()
        connection.close()
        replica.close_pools()


if __name__ == "__main__":
    main()
