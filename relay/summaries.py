"""Summary tables: results the pages read instead of deriving them from the big tables on
every view.

Each summary is a table filled from a live view named after it with `_live`
(queries/migrations/0007_summaries.sql, 0017_pipeline_deltas.sql). Every write to a
summary's sources refreshes it in the same transaction, so no page ever reads a summary
older than the data it summarises:
in full, or, when the writer names the few deals or leads it changed (an import), only the
rows those touch (summaries.refresh says which), and the summaries of counts over leads
(COUNTED_BY_LEAD) by what those leads counted before the write and count after it (take_out).
The tests run every page on the summaries and on the live views and require the same
figures, and compare a summary refreshed deal by deal with one rebuilt in full.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager

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
    # The funnel's month rollup: rebuilt in full, a group-by of every lead, about 5 s at 10M
    # leads (1.6-1.9 s of it finding the leads listed twice), measured on a 2-core machine;
    # after an import of few leads or deals, the leads listed twice are found among its
    # leads, and the rollup changed by what its leads count (take_out; about 0.3 s).
    "funnel_listed_twice": ("leads",),
    "funnel_months": ("leads", "deals"),
    # The campaign page's leads by campaign and created month (counts over leads: rebuilt in
    # full, a group-by of every lead, or changed by what few leads count) and its deals of
    # campaign leads, one row per deal (refreshed deal by deal); after funnel_listed_twice,
    # which campaign_deals reads.
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
    # and first won day (My week, the planning meeting): counts over leads, changed by what
    # the leads of an import of few leads or deals count; rebuilt in full, a join and
    # group-by of every MQL with the campaigns' channels and the leads' first won deals, with
    # any other write to leads, deals or campaigns (a campaign saved or imported recounts the
    # leads of a changed channel alone, a spend import none): 0.8-2 s at 10M leads (1.8M
    # MQLs) on a 2-core machine.
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
BY_LEAD = ("funnel_listed_twice", "lead_quality", "funnel_lookup_leads")
# The summaries of counts over leads: each row counts the leads (or their events) of its key,
# and a lead counts only in rows of its own, so a write of few leads, or of their deals,
# changes only what those leads count. Each has a table macro <name>_of(lead_ids), its
# definition for those leads alone (null: all), and names its counts here, its last columns
# (the first is zero only where the key counts nothing); its other columns are its key.
COUNTED_BY_LEAD = {"funnel_months": ("events",),
                   "campaign_lead_months": ("leads", "mqls", "sals", "sqls"),
                   "rep_strength_months": ("mqls",)}
# Up to this many changed deals, only what they touch is refreshed (a full rebuild of
# deal_states takes seconds at 10M leads; a few thousand deals' rows, milliseconds); more,
# and one rebuild in order is cheaper and keeps the tables sorted for the pages.
DEAL_REFRESH_LIMIT = 10_000


def refresh(cursor: duckdb.DuckDBPyConnection, changed: Iterable[str],
            deal_ids: Collection[str] | None = None,
            lead_ids: Collection[str] | None = None,
            counted_leads: list[str] | None = None) -> list[str]:
    """Refresh the summaries derived from any of the changed tables; call it inside the
    transaction that changed them. When the writer knows them, `deal_ids` are the only deals
    whose rows the write changed (none else in deals or deal_history), and `lead_ids` the only
    leads whose rows or touches it changed; if there are few, the summaries then refresh only
    what those touch: the deals' rows of deal_states and deal_credits (and the credits of the
    leads' deals), and the close months of pipeline_deltas their states were or are due in.
    `counted_leads` are the leads take_out took out before the write: the summaries of
    counts over leads then get what they count now, and are not rebuilt. Returns the
    summaries refreshed."""
    changed = set(changed)
    refreshed = [name for name, sources in SOURCES.items() if changed & set(sources)]
    ids = _few_deals(cursor, deal_ids, lead_ids)
    leads = _few_leads(changed, deal_ids, lead_ids)
    deal_leads = _leads_of_few_deals(cursor, changed, deal_ids, lead_ids)
    for name in refreshed:
        if name in BY_LEAD and leads is not None:
            _refresh_leads(cursor, name, leads)
        elif name in COUNTED_BY_LEAD and counted_leads is not None:
            _add_back(cursor, name, counted_leads)
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


def take_out(cursor: duckdb.DuckDBPyConnection, lead_ids: Collection[str],
             changed: Iterable[str]) -> list[str] | None:
    """Before a write to the tables `changed` that changes what only the leads `lead_ids`
    count (their rows, their deals, which leads those deals are of only among them, the
    channel of their campaign): what those leads count in the summaries of counts over leads
    derived from those tables is taken out, in the write's transaction, to be added back as
    they count after it (refresh's `counted_leads`, with the same `changed`). Returns the
    leads taken out; None when they are too many for that to be cheaper than a rebuild, and
    refresh then rebuilds those summaries."""
    leads = sorted(set(lead_ids))
    if len(leads) > DEAL_REFRESH_LIMIT:
        return None
    for name in _counted(changed):
        sql.execute(cursor, "summary_take_out", lead_ids=leads,
                    identifiers={"change": f"{name}_change", "counted": f"{name}_of"})
    return leads


@contextmanager
def recounted(cursor: duckdb.DuckDBPyConnection, changed: Iterable[str],
              lead_ids: Collection[str]) -> Iterator[None]:
    """Around a write to the tables `changed` that changes what only the leads `lead_ids`
    count (take_out): the summaries of those tables refreshed after it, those of counts over
    leads by what those leads count."""
    changed = set(changed)
    counted = take_out(cursor, lead_ids, changed)
    yield
    refresh(cursor, changed, counted_leads=counted)


def _counted(changed: Iterable[str]) -> list[str]:
    """The summaries of counts over leads derived from any of the tables `changed`."""
    changed = set(changed)
    return [name for name in COUNTED_BY_LEAD if changed & set(SOURCES[name])]


def _add_back(cursor: duckdb.DuckDBPyConnection, name: str, lead_ids: list[str]) -> None:
    """After the write: what the leads take_out took out count now, into the summary `name`,
    whose rows of the keys that changed are rewritten."""
    change = {"summary": name, "change": f"{name}_change"}
    sql.execute(cursor, "summary_add_back", lead_ids=lead_ids,
                identifiers={"change": change["change"], "counted": f"{name}_of"})
    columns = [sql.CatalogName(column) for column, _ in sql.rows(cursor, "export_columns",
                                                                 table=name)]
    counts = [column for column in columns if column in COUNTED_BY_LEAD[name]]
    keys = [column for column in columns if column not in counts]
    sql.execute(cursor, "summary_apply_change", keys=keys, counts=counts,
                identifiers={**change, "total": counts[0]})
    sql.execute(cursor, "summary_drop_changed", keys=keys, identifiers=change)
    sql.execute(cursor, "summary_add_rewritten", identifiers=change)


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
    if name == "funnel_listed_twice":  # a grouping: the leads are filtered before it
        sql.execute(cursor, "refresh_funnel_listed_twice_add_leads", lead_ids=lead_ids)
        return
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
