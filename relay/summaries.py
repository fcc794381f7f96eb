"""Summary tables: results the pages read instead of deriving them from the big tables on
every view.

Each summary is a table filled from a live view named after it with `_live`
(queries/migrations/0007_summaries.sql, 0017_pipeline_deltas.sql). Every write to a
summary's sources refreshes it in the same transaction, so no page ever reads a summary
older than the data it summarises:
in full, or, when the writer names the few deals it changed (an import of deals), only the
rows those deals touch (summaries.refresh says which).
The tests run every page on the summaries and on the live views and require the same
figures, and compare a summary refreshed deal by deal with one rebuilt in full.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import duckdb

from relay import sql

# Each summary and the tables it is derived from, in the order they are refreshed (a
# summary may read one before it).
SOURCES = {
    "deal_states": ("deals", "deal_history"),
    "pipeline_deltas": ("deals", "deal_history"),
    # "settings": the time-decay half-life (settings.change_many refreshes it when that
    # setting changes, and only then).
    "deal_credits": ("touches", "deals", "leads", "settings"),
    # The funnel's month rollup, rebuilt in full with every write to leads or deals: a
    # group-by of every lead, about 5 s at 10M leads (1.6-1.9 s of it finding the leads
    # listed twice), measured on a 2-core machine.
    "funnel_listed_twice": ("leads",),
    "funnel_months": ("leads", "deals"),
    # The campaign page's leads by campaign and created month (rebuilt in full with every
    # write to leads: a group-by of every lead) and its deals of campaign leads, one row per
    # deal (refreshed deal by deal); after funnel_listed_twice, which campaign_deals reads.
    "campaign_lead_months": ("leads",),
    "campaign_deals": ("deals", "leads"),
    # What the store holds (relay.holdings): counted again in full, a few scans of columns.
    "store_holdings": ("deals", "deal_history", "leads", "campaigns", "touches"),
    # Who owns leads (My week's reps): counted again in full, one pass over a column of
    # leads, 0.26-0.36 s at 10M leads on a busy 2-core machine.
    "lead_owners": ("leads",),
    # The leads whose dates contradict each other or their stage (lead_data_quality.sql),
    # the leads the funnel's correction looks up by id (after funnel_listed_twice, which it
    # reads), and the header's first days and the deals' regions and segments (migration
    # 0024): each a scan of one or two columns, rebuilt in full.
    "lead_quality": ("leads",),
    "funnel_lookup_leads": ("leads", "deals"),
    "store_span": ("deals", "leads"),
    "deal_breakdowns": ("deals",),
    # The owners of MQLs by region and segment (the speed-to-lead page's rep picker): a
    # distinct over every lead, rebuilt in full (a few hundred ms at 10M leads).
    "mql_owners": ("leads",),
    # The rep strengths' MQLs by owner, channel, source, region, segment, MQL and SQL month
    # and first won day (My week, the planning meeting): a join and group-by of every MQL with
    # the campaigns' channels and the leads' first won deals, rebuilt in full with every write
    # to leads, deals or campaigns: 0.8-2 s at 10M leads (1.8M MQLs) on a 2-core machine.
    "rep_strength_months": ("leads", "deals", "campaigns"),
    # The deals without a recorded history (the forecast's note): an anti-join of every deal
    # with the whole history when rebuilt, of the named deals alone when few changed.
    "unrecorded_deals": ("deals", "deal_history"),
    # The deals whose lead came from a campaign (the overview's sourced shares): a semi-join
    # of every deal with the whole leads table when rebuilt, of the named deals alone when
    # few changed (a leads import names the deals of its leads).
    "sourced_deals": ("deals", "leads"),
}
# The summaries a write of few deals or leads refreshes row by row; any other is rebuilt.
BY_DEAL = ("deal_states", "pipeline_deltas", "deal_credits", "campaign_deals",
           "unrecorded_deals", "sourced_deals")
# The summaries of leads a write of few leads (and no deals) refreshes lead by lead: a lead's
# rows depend on its own rows alone (and, for funnel_lookup_leads, on whether it has a deal
# or is listed twice, which a write of leads changes only for the leads it wrote); each
# rebuilt in full reads every lead (1-3 s at 10M leads).
BY_LEAD = ("lead_quality", "funnel_lookup_leads")
# Up to this many changed deals, only what they touch is refreshed (a full rebuild of
# deal_states takes seconds at 10M leads; a few thousand deals' rows, milliseconds); more,
# and one rebuild in order is cheaper and keeps the tables sorted for the pages.
DEAL_REFRESH_LIMIT = 10_000


def refresh(cursor: duckdb.DuckDBPyConnection, changed: Iterable[str],
            deal_ids: Collection[str] | None = None,
            lead_ids: Collection[str] | None = None) -> list[str]:
    """Refresh the summaries derived from any of the changed tables; call it inside the
    transaction that changed them. When the writer knows them, `deal_ids` are the only deals
    whose rows the write changed (none else in deals or deal_history), and `lead_ids` the only
    leads whose rows or touches it changed; if there are few, the summaries then refresh only
    what those touch: the deals' rows of deal_states and deal_credits (and the credits of the
    leads' deals), and the close months of pipeline_deltas their states were or are due in.
    Returns the summaries refreshed."""
    changed = set(changed)
    refreshed = [name for name, sources in SOURCES.items() if changed & set(sources)]
    ids = _few_deals(cursor, deal_ids, lead_ids)
    leads = _few_leads(changed, deal_ids, lead_ids)
    deal_leads = _leads_of_few_deals(cursor, changed, deal_ids, lead_ids)
    for name in refreshed:
        if name in BY_LEAD and leads is not None:
            _refresh_leads(cursor, name, leads)
        elif name == "funnel_lookup_leads" and deal_leads is not None:
            # A write of deals alone: only which leads have a deal can have changed.
            sql.execute(cursor, "refresh_funnel_lookup_leads_drop_dealless")
            sql.execute(cursor, "refresh_funnel_lookup_leads_add_leads", lead_ids=deal_leads)
        elif ids is None or name not in BY_DEAL:
            rebuild(cursor, name)
    if ids is None:
        return refreshed
    months = set()
    if "deal_states" in refreshed:
        months |= _close_months(cursor, ids)  # as the deals were due
        sql.execute(cursor, "refresh_deal_states_drop_deals", deal_ids=ids)
        sql.execute(cursor, "refresh_deal_states_add_deals", deal_ids=ids)
    if "pipeline_deltas" in refreshed:
        months = sorted(months | _close_months(cursor, ids))  # and as they are due now
        sql.execute(cursor, "refresh_pipeline_deltas_drop_months", months=months)
        sql.execute(cursor, "refresh_pipeline_deltas_add_months", months=months)
    # The others hold rows of one deal each: the deals' rows dropped and added again.
    for name in BY_DEAL:
        if name in refreshed and name not in ("deal_states", "pipeline_deltas"):
            sql.execute(cursor, f"refresh_{name}_drop_deals", deal_ids=ids)
            sql.execute(cursor, f"refresh_{name}_add_deals", deal_ids=ids)
    return refreshed


def follow(cursor: duckdb.DuckDBPyConnection, written: set[str]) -> list[str]:
    """After a write's work, in its transaction: refresh the summaries of the tables it
    wrote that it did not refresh itself (relay.store.write calls it for every write). A
    write of settings refreshes what the setting changed itself (settings.change_many): most
    settings change no summary."""
    changed = {table for table in written if table not in SOURCES} - {"settings"}
    stale = [name for name, sources in SOURCES.items()
             if changed & set(sources) and name not in written]
    for name in stale:
        rebuild(cursor, name)
    return stale


def rebuild(cursor: duckdb.DuckDBPyConnection, name: str) -> None:
    """Rebuild the summary `name` in full from its definition."""
    sql.execute(cursor, f"refresh_{name}")


def _few_deals(cursor: duckdb.DuckDBPyConnection, deal_ids: Collection[str] | None,
               lead_ids: Collection[str] | None) -> list[str] | None:
    """The deals a write changed, or whose leads it changed, sorted; None when the writer
    does not know them or they are too many to refresh one by one."""
    if deal_ids is None and lead_ids is None:
        return None
    ids = set(deal_ids or ())
    if lead_ids:
        if len(lead_ids) > DEAL_REFRESH_LIMIT:
            return None
        ids |= {deal_id for (deal_id,) in sql.rows(cursor, "deals_of_leads",
                                                   lead_ids=sorted(set(lead_ids)))}
    return sorted(ids) if len(ids) <= DEAL_REFRESH_LIMIT else None


def _few_leads(changed: set[str], deal_ids: Collection[str] | None,
               lead_ids: Collection[str] | None) -> list[str] | None:
    """The leads a write of leads alone changed, sorted; None when it wrote deals too, the
    writer does not know them, or they are too many to refresh one by one."""
    if "deals" in changed or deal_ids is not None or lead_ids is None:
        return None
    return sorted(set(lead_ids)) if len(set(lead_ids)) <= DEAL_REFRESH_LIMIT else None


def _leads_of_few_deals(cursor: duckdb.DuckDBPyConnection, changed: set[str],
                        deal_ids: Collection[str] | None,
                        lead_ids: Collection[str] | None) -> list[str] | None:
    """The leads of the deals a write of deals alone changed, as the deals are now, sorted;
    None when it wrote leads too, the writer does not know its deals, or they are too many."""
    if "leads" in changed or lead_ids is not None or deal_ids is None:
        return None
    if len(set(deal_ids)) > DEAL_REFRESH_LIMIT:
        return None
    return sorted(lead_id for (lead_id,) in sql.rows(cursor, "leads_of_deals",
                                                     deal_ids=sorted(set(deal_ids))))


def _refresh_leads(cursor: duckdb.DuckDBPyConnection, name: str, lead_ids: list[str]) -> None:
    """The rows of the leads `lead_ids` in the summary `name` (BY_LEAD), derived again."""
    sql.execute(cursor, "refresh_summary_drop_leads", identifiers={"summary": name},
                lead_ids=lead_ids)
    sql.execute(cursor, "refresh_summary_add_leads",
                identifiers={"summary": name, "live": f"{name}_live"}, lead_ids=lead_ids)


def _close_months(cursor: duckdb.DuckDBPyConnection, deal_ids: list[str]) -> set:
    return {month for (month,) in sql.rows(cursor, "deal_close_months", deal_ids=deal_ids)}


def read_live(connection: duckdb.DuckDBPyConnection) -> None:
    """Replace every summary table by its live view, so that the pages compute from the
    source tables: the reference the summaries are tested against."""
    for name in SOURCES:
        sql.execute(connection, "summaries_read_live",
                    identifiers={"summary": name, "live": f"{name}_live"})
