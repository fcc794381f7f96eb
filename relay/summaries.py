"""Summary tables: results the pages read instead of deriving them from the big tables on
every view.

Each summary is a table filled from a live view named after it with `_live`
(queries/migrations/0007_summaries.sql). Every write to a summary's sources refreshes it in
the same transaction, so no page ever reads a summary older than the data it summarises:
in full, or, when the writer names the few deals it changed (an import of deals), only the
rows of those deals in the summaries kept by deal.
The tests run every page on the summaries and on the live views and require the same
figures, and compare a summary refreshed deal by deal with one rebuilt in full.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import duckdb

from relay import sql

# Each summary and the tables it is derived from.
SOURCES = {"deal_states": ("deals", "deal_history")}
# Summaries whose rows each belong to one deal: refreshed deal by deal when few changed.
BY_DEAL = {"deal_states"}
# Up to this many changed deals, their rows are refreshed alone (a full rebuild of
# deal_states takes seconds at 10M leads; a few thousand deals' rows, milliseconds); more,
# and one rebuild in close-date order is cheaper and keeps the table sorted for the pages.
DEAL_REFRESH_LIMIT = 10_000


def refresh(cursor: duckdb.DuckDBPyConnection, changed: Iterable[str],
            deal_ids: Collection[str] | None = None) -> list[str]:
    """Refresh the summaries derived from any of the changed tables; call it inside the
    transaction that changed them. `deal_ids`: the only deals whose rows the write changed
    (none else in deals or deal_history), when the writer knows them; the summaries kept by
    deal then refresh those deals' rows alone, if there are few. Returns the summaries
    refreshed."""
    changed = set(changed)
    refreshed = [name for name, sources in SOURCES.items() if changed & set(sources)]
    by_deal = deal_ids is not None and len(deal_ids) <= DEAL_REFRESH_LIMIT
    for name in refreshed:
        if by_deal and name in BY_DEAL:
            ids = sorted(set(deal_ids))
            sql.execute(cursor, f"refresh_{name}_drop_deals", deal_ids=ids)
            sql.execute(cursor, f"refresh_{name}_add_deals", deal_ids=ids)
        else:
            sql.execute(cursor, f"refresh_{name}")
    return refreshed


def read_live(connection: duckdb.DuckDBPyConnection) -> None:
    """Replace every summary table by its live view, so that the pages compute from the
    source tables: the reference the summaries are tested against."""
    for name in SOURCES:
        sql.execute(connection, "summaries_read_live",
                    identifiers={"summary": name, "live": f"{name}_live"})
