"""What an import file may hold: the store tables it can fill, their columns and how each
is checked, and the layouts of common CRM exports (which header feeds which column).

A layout maps each column of a table to the header(s) that feed it; the first header present
in the file wins. Saved mappings are layouts people made on the Data page, kept by name.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from relay import clock, identity, sql, store
from relay.identity import Role

DATE_FORMATS = {
    # name: (what the user reads, strptime formats tried after ISO 8601)
    "iso": ("YYYY-MM-DD (ISO; times as YYYY-MM-DD HH:MM)", []),
    "us": ("M/D/YYYY (US)", ["%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p",
                             "%m/%d/%Y"]),
    "eu": ("D/M/YYYY or D.M.YYYY (Europe)", ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
                                             "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
                                             "%d.%m.%Y"]),
}


@dataclass(frozen=True)
class Column:
    """A column of a store table as an import fills it.

    kind: id, text, date, timestamp, amount (money, >= 0), count (whole number >= 0),
    number (>= 0), choice (one of `choices`, matched ignoring case, spaces and hyphens),
    name (a lower-case name such as win_rate),
    quarter (YYYY-Qn), owner (a person, created when unknown), person (a known person),
    campaign / lead (an existing row of that table), stage (a CRM stage name, mapped to
    status and forecast category), identity (not stored: what a row's generated ID is made
    from when the file has no ID column), month (YYYY-MM).
    """

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""  # what the mapping form says about the column


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # Unknown owners become people of this team.
    new_person_team: str = "sales"

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def stored_columns(self) -> tuple[str, ...]:
        """The table's own columns an import may write (the CRM stage is not one)."""
        return tuple(column.name for column in self.columns
                     if column.kind not in ("stage", "identity"))


TEAMS = ("marketing", "sales", "revops", "exec")
CAMPAIGN_STATUSES = ("planned", "live", "completed", "cancelled")
LEAD_STAGES = ("inquiry", "mql", "sal", "sql", "opportunity", "disqualified")
DEAL_STATUSES = ("open", "won", "lost")
FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "closed", "omitted")
OWNER_TEAMS = ("marketing", "sales", "shared")

TABLES: dict[str, Table] = {table.name: table for table in (
    Table("people", "People", ("person_id",), (
        Column("person_id", "id", True),
        Column("name", "text", True),
        Column("email", "text"),
        Column("team", "choice", True, TEAMS),
        Column("title", "text"),
        Column("region", "text"),
        Column("segment", "text"),
        Column("manager_id", "person", help="person_id, email or name of a known person"),
    )),
    Table("campaigns", "Campaigns", ("campaign_id",), (
        Column("campaign_id", "id", True),
        Column("name", "text", True),
        Column("channel", "text", True),
        Column("region", "text"),
        Column("segment", "text"),
        Column("owner_id", "owner", help="person_id, email or name; new names become people"),
        Column("status", "choice", True, CAMPAIGN_STATUSES),
        Column("start_date", "date", True),
        Column("end_date", "date", True),
        Column("budget", "amount"),
        Column("actual_cost", "amount"),
        Column("expected_leads", "count"),
        Column("description", "text"),
    ), new_person_team="marketing"),
    Table("leads", "Leads", ("lead_id",), (
        Column("lead_id", "id", True, help="empty: made from the row's email, created date, "
                                           "source and campaign"),
        Column("email", "text", help="the lead's email; with no lead_id column, each lead's ID "
                                     "is made from it (with created date, source and "
                                     "campaign)"),
        Column("name", "text", help="the lead's full name"),
        Column("company", "text"),
        Column("title", "text", help="the lead's job title"),
        Column("phone", "text"),
        Column("campaign_id", "campaign"),
        Column("source", "text"),
        Column("region", "text"),
        Column("segment", "text"),
        Column("created_at", "timestamp", True),
        Column("stage", "choice", True, LEAD_STAGES),
        Column("mql_at", "timestamp"),
        Column("sal_at", "timestamp"),
        Column("sql_at", "timestamp"),
        Column("first_touch_at", "timestamp"),
        Column("owner_id", "owner", help="person_id, email or name; new names become people"),
        Column("disqualify_reason", "text"),
    )),
    Table("deals", "Deals", ("deal_id",), (
        Column("deal_id", "id", True),
        Column("lead_id", "lead"),
        Column("account", "text"),
        Column("owner_id", "owner", help="person_id, email or name; new names become people"),
        Column("owner_email", "identity", help="not stored: the owner's email, matched first "
                                               "(and kept on a new person)"),
        Column("region", "text", help="empty: the owner's region"),
        Column("segment", "text", help="empty: the owner's segment"),
        Column("amount", "amount", True),
        Column("crm_stage", "stage", help="the CRM's stage name, mapped to status and "
                                          "forecast category by the stage mapping"),
        Column("status", "choice", False, DEAL_STATUSES, help="empty: from the stage"),
        Column("forecast_category", "choice", False, FORECAST_CATEGORIES,
               help="empty: from the stage"),
        Column("created_at", "timestamp", True),
        Column("close_date", "date", True),
    )),
    Table("goals", "Goals", ("quarter", "metric", "region", "segment"), (
        Column("quarter", "quarter", True),
        Column("metric", "name", True, help="revenue, pipeline, mqls, sals, sqls, win_rate or "
                                            "a metric of your own"),
        Column("region", "text", help="empty: company-wide"),
        Column("segment", "text", help="empty: company-wide"),
        Column("target", "number", True),
        Column("owner_team", "choice", False, OWNER_TEAMS, help="empty: the metric's usual team"),
    )),
    Table("forecast_submissions", "Forecast submissions",
          ("quarter", "person_id", "submitted_at"), (
              Column("quarter", "quarter", True),
              Column("person_id", "person", True,
                     help="person_id, email or name of a known person"),
              Column("submitted_at", "timestamp", True),
              Column("commit_amount", "amount", True),
              Column("best_case_amount", "amount", True),
          )),
    # Every touch a lead had with a campaign (a campaign-member export): what the attribution
    # models share deals by. The lead and the campaign must be in the store already.
    Table("touches", "Campaign touches (campaign members)", ("lead_id", "campaign_id",
                                                             "touched_at"), (
        Column("lead_id", "lead", True, help="a lead in the store"),
        Column("campaign_id", "campaign", True, help="a campaign in the store"),
        Column("touched_at", "timestamp", True, help="when the lead responded or took part"),
        Column("kind", "text", True, help="what the touch was: form fill, event attended, "
                                          "email click, ad click, sales touch, …"),
    ), new_person_team="marketing"),
    # Spend per channel and month, spread over the channel's campaigns into their actual
    # cost by relay.importing.
    Table("campaign_spend", "Campaign spend per channel and month", ("channel", "month"), (
        Column("channel", "text", True, help="the campaigns' channel, e.g. Paid Search"),
        Column("month", "month", True, help="YYYY-MM"),
        Column("spend", "amount", True),
        Column("currency", "text", help="empty: the store's currency; another is converted "
                                        "by the fx_rates setting"),
    )),
)}


@dataclass(frozen=True)
class Layout:
    """Which header(s) of a file feed each column of a table, and how its dates are written."""

    name: str
    label: str
    table: str
    columns: dict[str, tuple[str, ...]] = field(hash=False)
    date_format: str = "iso"

    def source_for(self, headers: list[str]) -> dict[str, int]:
        """{column: index of the header that feeds it} for the columns this file has."""
        by_name = {header.strip().lower(): index for index, header in enumerate(headers)}
        found = {}
        for column, candidates in self.columns.items():
            for candidate in candidates:
                if candidate.lower() in by_name:
                    found[column] = by_name[candidate.lower()]
                    break
        return found


def native(table: str) -> Layout:
    """The store's own column names as headers: what `relay export` writes."""
    columns = {name: (name,) for name in TABLES[table].stored_columns}
    if table == "deals":
        columns["crm_stage"] = ("crm_stage", "stage")
    if table == "leads":
        columns["email"] = ("email", "Email")
        columns["phone"] = ("phone", "Phone")
    if table == "deals":
        columns["owner_email"] = ("owner_email",)
    return Layout("relay", "Revenue Relay columns", table, columns)


# The headers HubSpot's deal export and a Salesforce opportunity report really carry.
# Region and Segment are the usual custom fields; without them a deal takes its owner's.
PRESETS: dict[str, Layout] = {
    "hubspot": Layout("hubspot", "HubSpot deals export", "deals", {
        "deal_id": ("Record ID", "Deal ID"),
        "account": ("Associated Company", "Company name", "Deal Name"),
        "owner_id": ("Deal owner", "Deal Owner"),
        "owner_email": ("Deal owner email", "Deal Owner Email", "Owner email"),
        "amount": ("Amount", "Amount in company currency"),
        "crm_stage": ("Deal Stage",),
        "forecast_category": ("Forecast category",),
        "created_at": ("Create Date",),
        "close_date": ("Close Date",),
        "region": ("Region",),
        "segment": ("Segment",),
    }, "iso"),
    "salesforce": Layout("salesforce", "Salesforce opportunity report", "deals", {
        "deal_id": ("Opportunity ID", "Opportunity ID (18)"),
        "account": ("Account Name",),
        "owner_id": ("Opportunity Owner", "Owner Email"),
        "owner_email": ("Owner Email", "Opportunity Owner: Email"),
        "amount": ("Amount",),
        "crm_stage": ("Stage",),
        "forecast_category": ("Forecast Category",),
        "created_at": ("Created Date",),
        "close_date": ("Close Date",),
        "region": ("Region",),
        "segment": ("Segment",),
    }),  # dates: decided from the file (a report follows its user's locale)
    # A HubSpot contacts export and a Salesforce lead report: the contact columns a rep needs
    # to act on a lead. Their stage values must be the store's (inquiry, mql, …): map the
    # CRM's lifecycle stage or lead status to them before importing.
    "hubspot_leads": Layout("hubspot_leads", "HubSpot contacts export", "leads", {
        "lead_id": ("Record ID", "Contact ID"),
        "name": ("Full Name", "Contact name", "Name"),
        "company": ("Company Name", "Associated Company"),
        "title": ("Job Title",),
        "email": ("Email",),
        "phone": ("Phone Number", "Mobile Phone Number"),
        "source": ("Original Source", "Latest Source"),
        "region": ("Region",),
        "segment": ("Segment",),
        "created_at": ("Create Date",),
        "stage": ("Lifecycle Stage",),
        "mql_at": ("Became a Marketing Qualified Lead Date",),
        "sal_at": ("Became a Sales Accepted Lead Date",),
        "sql_at": ("Became a Sales Qualified Lead Date",),
        # Only a first contact: a last contact is not a first touch (it would shorten or
        # lengthen speed to lead by however long the lead has been worked).
        "first_touch_at": ("First Contact Date",),
        "owner_id": ("Contact owner", "Contact Owner"),
    }, "iso"),
    "salesforce_leads": Layout("salesforce_leads", "Salesforce lead report", "leads", {
        "lead_id": ("Lead ID", "Lead ID (18)"),
        "name": ("Full Name", "Name", "Lead Name"),
        "company": ("Company / Account", "Company"),
        "title": ("Title",),
        "email": ("Email",),
        "phone": ("Phone", "Mobile"),
        "source": ("Lead Source",),
        "campaign_id": ("Campaign ID",),
        "region": ("Region",),
        "segment": ("Segment",),
        "created_at": ("Create Date", "Created Date"),
        "stage": ("Lead Status", "Stage"),
        "first_touch_at": ("First Activity",),  # never Last Activity: not a first touch
        "owner_id": ("Lead Owner", "Owner Email"),
    }),
    # Campaign members: a Salesforce campaign member report (one row per lead and campaign,
    # when the lead first responded, else when it became a member) and a HubSpot export of
    # a campaign's contact interactions. A member's status or interaction type is the kind.
    "salesforce_touches": Layout("salesforce_touches", "Salesforce campaign member report",
                                 "touches", {
        "lead_id": ("Lead ID", "Lead ID (18)", "Contact ID"),
        "campaign_id": ("Campaign ID", "Campaign ID (18)"),
        "touched_at": ("First Responded Date", "Member First Associated Date",
                       "Created Date"),
        "kind": ("Member Status", "Status"),
    }),  # dates: decided from the file (a report follows its user's locale)
    "hubspot_touches": Layout("hubspot_touches", "HubSpot campaign contacts export",
                              "touches", {
        "lead_id": ("Contact ID", "Record ID"),
        "campaign_id": ("Campaign ID",),
        "touched_at": ("Interaction Date", "Date of interaction"),
        "kind": ("Interaction Type", "Interaction"),
    }, "iso"),
}


class LayoutError(ValueError):
    """A layout that does not exist or does not fit the table."""


def saved(cursor: duckdb.DuckDBPyConnection) -> dict[str, Layout]:
    return {row["name"]: Layout(row["name"], f"Saved mapping: {row['name']}",
                                row["table_name"],
                                {column: (header,) for column, header in
                                 json.loads(row["columns"]).items()},
                                row["date_format"])
            for row in sql.records(cursor, "import_mappings")}


def choices_for(cursor: duckdb.DuckDBPyConnection, table: str) -> dict[str, Layout]:
    """Every layout a file for `table` may have: the store's own, the CRM presets and the
    saved mappings for that table."""
    layouts = {"relay": native(table)}
    layouts.update({name: layout for name, layout in PRESETS.items() if layout.table == table})
    layouts.update({name: layout for name, layout in saved(cursor).items()
                    if layout.table == table})
    return layouts


def find(cursor: duckdb.DuckDBPyConnection, table: str, name: str) -> Layout:
    available = choices_for(cursor, table)
    if name in available:
        return available[name]
    other = PRESETS.get(name) or saved(cursor).get(name)
    if other is not None:
        raise LayoutError(f"the layout {name!r} is for {other.table}, not {table}")
    raise LayoutError(f"no layout named {name!r} for {table} (there are: "
                      f"{', '.join(available)})")


def recognise(cursor: duckdb.DuckDBPyConnection, table: str, headers: list[str],
              columns: dict[str, str] | None = None) -> str | None:
    """The layout whose required columns the file has, matching the most headers (with
    `columns` mapped on top of each, as `relay import --map` does)."""
    best, best_score = None, 0
    for name, layout in choices_for(cursor, table).items():
        found = (overlay(layout, columns, headers) if columns else layout).source_for(headers)
        if missing_required(TABLES[table], found):
            continue
        if len(found) > best_score:
            best, best_score = name, len(found)
    return best


def overlay(layout: Layout, columns: dict[str, str], headers: list[str]) -> Layout:
    """`layout` with each given column fed by the given header instead (what the Data page's
    mapping form and `relay import --map COLUMN=HEADER` do). Refused when the table has no
    such column or the file no such header."""
    table = TABLES[layout.table]
    names = {column.name for column in table.columns}
    unknown = sorted(set(columns) - names)
    if unknown:
        raise LayoutError(f"{table.name} has no column {', '.join(map(repr, unknown))} "
                          f"(columns: {', '.join(column.name for column in table.columns)})")
    present = {header.strip().lower() for header in headers}
    absent = [header for header in columns.values() if header.strip().lower() not in present]
    if absent:
        raise LayoutError(f"the file has no header {', '.join(map(repr, absent))} (its "
                          f"headers are: {', '.join(headers)})")
    mapped = {column: (header,) for column, header in columns.items()}
    return Layout(f"{layout.name}+map", f"{layout.label} with your mapping",
                  layout.table, {**layout.columns, **mapped}, layout.date_format)


def missing_required(table: Table, found: dict[str, int]) -> list[str]:
    missing = [column.name for column in table.columns
               if column.required and column.name not in found
               and (column.name, table.name) != ("lead_id", "leads")]  # made from the row
    if table.name == "deals" and "crm_stage" not in found and not {
            "status", "forecast_category"} <= set(found):
        missing.append("crm_stage (or both status and forecast_category)")
    return missing


def save_mapping(connection: duckdb.DuckDBPyConnection, name: str, table: str,
                 columns: dict[str, str], date_format: str) -> None:
    """Keep a mapping of column -> header under `name` for the next file of this layout."""
    actor = identity.require(Role.ADMIN, "saving a column mapping").audit_name
    name = name.strip()
    if not name:
        raise LayoutError("give the mapping a name")
    if name in PRESETS or name == "relay":
        raise LayoutError(f"{name!r} is a built-in layout; choose another name")
    if date_format not in DATE_FORMATS:
        raise LayoutError(f"unknown date format {date_format!r}")
    unknown = set(columns) - {column.name for column in TABLES[table].columns}
    if unknown:
        raise LayoutError(f"{table} has no column {', '.join(sorted(unknown))}")
    store.write(connection, lambda cursor: sql.execute(
        cursor, "upsert_import_mapping", name=name, table_name=table,
        columns=json.dumps(columns), date_format=date_format, saved_by=actor,
        saved_at=clock.now()), busy=LayoutError)


def stage_rows_from_csv(path: Path) -> list[dict]:
    """A stage mapping file's rows (header stage, status, forecast_category) as
    save_stage_mapping takes them; it checks them."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            wanted = {"stage", "status", "forecast_category"}
            if not wanted <= {name.strip().lower() for name in reader.fieldnames or []}:
                raise LayoutError(f"{Path(path).name}: the header must hold stage, status and "
                                  "forecast_category")
            return [{"label": row.get("stage"), "status": row.get("status"),
                     "forecast_category": row.get("forecast_category")}
                    for row in ({key.strip().lower(): (value or "").strip().lower()
                                 if key.strip().lower() != "stage" else (value or "").strip()
                                 for key, value in row.items() if key} for row in reader)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LayoutError(f"{Path(path).name}: cannot be read as a UTF-8 CSV file: "
                          f"{error}") from error


def stage_rows_after(seen: list[dict], action: str, items: list[str]) -> list[dict]:
    """The whole stage mapping as `relay stages` leaves it: `set` adds or changes stages
    given as STAGE=STATUS,FORECAST_CATEGORY, `remove` drops stages by name, `load` takes a
    CSV file's rows instead. save_stage_mapping checks the result."""
    if action == "load":
        if len(items) != 1:
            raise LayoutError("load takes one CSV file")
        return stage_rows_from_csv(Path(items[0]))
    rows = {row["stage"]: {key: row[key] for key in ("label", "status", "forecast_category")}
            for row in seen}
    for item in items:
        if action == "remove":
            if item.strip().lower() not in rows:
                raise LayoutError(f"no stage {item!r} in the mapping")
            del rows[item.strip().lower()]
            continue
        label, equals, target = item.rpartition("=")
        status, comma, category = target.partition(",")
        if not equals or not comma or not label.strip():
            raise LayoutError(f"{item!r}: write it as STAGE=STATUS,FORECAST_CATEGORY, e.g. "
                              "\"Won=won,closed\"")
        rows[label.strip().lower()] = {"label": label.strip(), "status": status.strip().lower(),
                                       "forecast_category": category.strip().lower()}
    return list(rows.values())


class StageMappingConflict(LayoutError):
    """Someone else saved the stage mapping after it was loaded; nothing was saved."""


def stage_mapping(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    return sql.records(cursor, "stage_mappings")


def save_stage_mapping(connection: duckdb.DuckDBPyConnection, rows: list[dict],
                       seen: list[dict]) -> int:
    """Replace the stage mapping with `rows` ({label, status, forecast_category}), as one
    change, audited. `seen`: the mapping as the user loaded it; refused if it changed since.
    Returns how many stages there are now."""
    actor = identity.require(Role.ADMIN, "changing the stage mapping").audit_name
    cleaned: dict[str, dict] = {}
    for number, row in enumerate(rows, start=1):
        label = str(row.get("label") or "").strip()
        fields = {"CRM stage": label, "status": row.get("status"),
                  "forecast category": row.get("forecast_category")}
        if not any(fields.values()):
            continue  # a row added and left empty
        empty = [name for name, value in fields.items() if not value]
        if empty:
            named = f" ({label})" if label else ""
            raise LayoutError(f"row {number}{named}: the {' and the '.join(empty)} "
                              f"{'is' if len(empty) == 1 else 'are'} empty; fill "
                              f"{'it' if len(empty) == 1 else 'them'} in or delete the row. "
                              "Nothing was saved.")
        if row.get("status") not in DEAL_STATUSES:
            raise LayoutError(f"{label}: status must be one of {', '.join(DEAL_STATUSES)}")
        if row.get("forecast_category") not in FORECAST_CATEGORIES:
            raise LayoutError(f"{label}: forecast category must be one of "
                              f"{', '.join(FORECAST_CATEGORIES)}")
        if label.lower() in cleaned:
            raise LayoutError(f"{label}: the stage is listed twice")
        cleaned[label.lower()] = {"stage": label.lower(), "label": label,
                                  "status": row["status"],
                                  "forecast_category": row["forecast_category"]}

    def replace(cursor):
        before = stage_mapping(cursor)
        if before != seen:
            raise StageMappingConflict(
                "Someone else saved the stage mapping after you loaded it, so nothing was "
                "saved. Reload to see their change, then make yours again.")
        sql.execute(cursor, "delete_stage_mappings")
        for row in cleaned.values():
            sql.execute(cursor, "insert_stage_mapping", **row)
        sql.execute(cursor, "insert_audit", at=clock.now(), actor=actor,
                    action="stage_mapping.save", entity="stage_mappings", entity_id=None,
                    before=json.dumps(before), after=json.dumps(list(cleaned.values())))
        return len(cleaned)

    return store.write(connection, replace, busy=LayoutError)
