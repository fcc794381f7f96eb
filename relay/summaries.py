"""Summary tables: results the pages read instead of deriving them from the big tables on
every view.

Each summary is a table filled from a live view named after it with `_live`
(queries/migrations/0007_summaries.sql). Every write to a summary's sources rebuilds it in
the same transaction, so no page ever reads a summary older than the data it summarises.
The tests run every page on the summaries and on the live views and require the same
figures.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from relay import sql

# Each summary and the tables it is derived from.
SOURCES = {
    "deal_states": ("deals", "deal_history"),
    # "settings": the time-decay half-life (settings.change_many refreshes it when that
    # setting changes, and only then).
    "deal_credits": ("touches", "deals", "leads", "settings"),
}


def refresh(cursor: duckdb.DuckDBPyConnection, changed: Iterable[str]) -> list[str]:
    """Rebuild the summaries derived from any of the changed tables; call it inside the
    transaction that changed them. Returns the summaries rebuilt."""
    changed = set(changed)
    rebuilt = [name for name, sources in SOURCES.items() if changed & set(sources)]
    for name in rebuilt:
        sql.execute(cursor, f"refresh_{name}")
    return rebuilt


def read_live(connection: duckdb.DuckDBPyConnection) -> None:
    """Replace every summary table by its live view, so that the pages compute from the
    source tables: the reference the summaries are tested against."""
    for name in SOURCES:
        sql.execute(connection, "summaries_read_live",
                    identifiers={"summary": name, "live": f"{name}_live"})
