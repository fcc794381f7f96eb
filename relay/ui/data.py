"""The Data page's interactive parts: an upload's preview and import, the column mapping
form, the stage mapping editor, and the downloads."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from relay import (
    exporting,
    handoff,
    importing,
    layouts,
    private,
    problem_kinds,
    report,
    restoring,
    settings,
    store,
    uploads,
)
from relay.ui import cache, flash, opened_store, shell, widgets

MAP_MYSELF = "map"
# Tables bigger than this are exported from the command line: a download is held in memory.
MAX_DOWNLOAD_ROWS = 1_000_000


def saved_upload(uploaded) -> Path:
    """The uploaded file on disk (DuckDB reads files) in this user's private upload folder,
    named by its content so that reruns reuse it. Stops the page when the folder is not
    only this user's."""
    try:
        return uploads.save(uploaded.getvalue(), Path(uploaded.name).suffix)
    except private.NotPrivate as error:
        st.error(widgets.plain(error), icon=":material/lock:")
        st.stop()


def inbox_notice(context: shell.Context) -> None:
    """Say so when the command line cannot hand jobs to this dashboard, and why."""
    problem = handoff.worker_problem(context.store_path)
    if problem:
        st.warning(widgets.plain("The command line cannot hand imports, exports or backups to this "
                                 f"dashboard: {problem}"), icon=":material/lock:")


def preview(context: shell.Context, path: Path, file_name: str, table: str,
            layout: str | layouts.Layout | None,
            date_format: str | None = None) -> importing.Preview:
    """What importing the file would do, computed once per file, table, layout and store
    state: a big file takes seconds to check and the page reruns on every click."""
    key = ("data_preview", str(path), table, repr(layout), date_format, _store_generation())
    cached = st.session_state.get("data_preview")
    if cached is not None and cached[0] == key:
        return cached[1]
    with opened_store.cursor(context.store_path) as cursor:
        with st.spinner(f"Checking {widgets.plain(file_name)}…"):
            result = importing.preview_file(cursor, path, file_name, table, layout,
                                            date_format=date_format)
            # Every problem, while the check's tables are there: the download's content.
            problems_csv = None if result.ok or result.problem_count > MAX_DOWNLOAD_ROWS \
                else problem_kinds.csv_bytes(cursor, result)
    st.session_state["data_preview"] = (key, result)
    st.session_state["data_problems_csv"] = (_problems_key(result), problems_csv)
    return result


def _store_generation() -> int:
    """Bumped whenever this app writes, so previews made before a write are not reused."""
    return st.session_state.get("data_generation", 0)


def do_import(context: shell.Context, path: Path, file_name: str, table: str,
              layout: str | layouts.Layout | None, shown: importing.Preview,
              date_format: str | None = None) -> None:
    try:
        with st.spinner(f"Importing {widgets.plain(file_name)}…"):
            outcome = uploads.import_file(opened_store.connection(context.store_path), path, table,
                                          file_name=file_name, layout=layout,
                                          expect=shown.counts(), date_format=date_format)
    except importing.ImportFailed as error:
        st.error(widgets.plain(error), icon=":material/error:")
        return
    st.session_state["data_generation"] = _store_generation() + 1
    if outcome.written:
        flash.saved(f"Imported {outcome.preview.summary()}", reset_prefixes=("data_",))
    elif outcome.preview.ok:
        st.warning("The store changed since this preview (someone else imported or edited "
                   "data), so nothing was written. Check the new preview and import again.",
                   icon=":material/sync_problem:")
    else:
        st.error(widgets.plain(outcome.preview.summary()), icon=":material/error:")


def show_preview(result: importing.Preview) -> None:
    counts = result.counts()
    for column, (label, key) in zip(st.columns(5), [
            ("Rows in the file", "rows_in_file"), ("New", "inserted"), ("Updated", "updated"),
            ("Unchanged", "unchanged"), ("New people", "new_people")], strict=True):
        column.metric(label, f"{counts[key]:,}", border=True)
    if result.new_people:
        st.caption(widgets.plain("Owners not yet known, added as people: "
                                 + ", ".join(result.new_people)))
    if result.unused_headers:
        st.caption(widgets.plain("Columns not imported: " + ", ".join(result.unused_headers)))
    if result.date_formats:
        st.caption(widgets.plain("Dates read as: " + "; ".join(
            f"{header}: {how}" for header, how in result.date_formats.items())))
    if result.notes:
        st.caption(widgets.plain("Read as exported: " + "; ".join(result.notes)))
    if result.merged_people:
        st.caption(widgets.plain("People an earlier import created, merged into the people they "
                                 "are (their records follow): " + ", ".join(result.merged_people)))
    for effect in result.effects:
        st.caption(widgets.plain(effect))
    if not result.ok:
        st.error(widgets.plain(result.summary()), icon=":material/error:")
        problem_summary(result)
        _problem_table(result.problems, "Problem")
        return
    if result.warnings:
        st.warning(widgets.plain(f"{result.warning_count:,} warning(s): imported all the same, "
                                 "worth a look (dates out of order)."), icon=":material/warning:")
        _problem_table(result.warnings, "Warning")
    if not result.sample.empty:
        st.caption(f"The first {len(result.sample):,} rows as they will be stored:")
        st.dataframe(result.sample, hide_index=True)


def problem_summary(result: importing.Preview) -> None:
    """Each kind of problem with its count, column, commonest values and first lines; and
    every problem as a CSV download."""
    among = "" if result.kinds_complete else (
        f" among the first {len(result.problems):,} (the file could not be read whole)")
    st.caption(f"{len(result.kinds)} kind(s) of problem{among}:")
    st.dataframe(pd.DataFrame([kind.as_row() for kind in result.kinds]), hide_index=True,
                 column_config={"count": st.column_config.NumberColumn("Rows",
                                                                       format="localized"),
                                "column": "Column", "problem": "Problem",
                                "values": "Values (rows)", "lines": "First lines"})
    cached = st.session_state.get("data_problems_csv")
    if result.problem_count > MAX_DOWNLOAD_ROWS:
        st.caption(f"Over {MAX_DOWNLOAD_ROWS:,} problems: write them all with `python -m "
                   "relay import FILE --table TABLE --dry-run --problems problems.csv`.")
    elif cached is not None and cached[0] == _problems_key(result) and cached[1] is not None:
        st.download_button(f"Download all {result.problem_count:,} problems (CSV)", cached[1],
                           file_name=f"{Path(result.file_name).stem}-problems.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore",
                           key="data_problems_download")
    if result.problem_count > len(result.problems):
        st.caption(f"The first {len(result.problems):,} problems:")


def _problems_key(result: importing.Preview) -> tuple:
    return id(result), result.file_name, result.table, result.layout, result.problem_count


WHOLE_COLUMN = "—"  # a problem of a whole column (how its dates or amounts are written)


def _problem_table(problems: list[importing.Problem], what: str) -> None:
    """Problems (or warnings) by line; one about a whole column has no line or value: a dash
    there, never "None"."""
    rows = pd.DataFrame([{
        "file": problem.file,
        "line": WHOLE_COLUMN if problem.line is None else f"{problem.line:,}",
        "column": problem.column or WHOLE_COLUMN,
        "value": WHOLE_COLUMN if problem.value is None else problem.value,
        "reason": problem.reason} for problem in problems])
    st.dataframe(rows, hide_index=True, column_config={
        "file": "File", "line": st.column_config.TextColumn(
            "Line", help="— : the problem is the whole column's, not one line's"),
        "column": "Column", "value": "Value", "reason": what})


def mapping_form(headers: list[str], table: str, start: layouts.Layout) -> layouts.Layout:
    """Pick, for each column of the table, the file's header that feeds it."""
    spec = layouts.TABLES[table]
    found = start.source_for(headers)
    none = "—"
    chosen: dict[str, tuple[str, ...]] = {}
    columns = st.columns(3)
    for number, column in enumerate(spec.columns):
        options = [none, *headers]
        default = headers[found[column.name]] if column.name in found else none
        label = column.name + (" *" if column.required else "")
        picked = columns[number % 3].selectbox(
            label, options, index=options.index(default), key=f"data_map_{table}_{column.name}",
            help=column.help or None)
        if picked != none:
            chosen[column.name] = (picked,)
    st.caption("\\* required. How dates are written is decided from the whole file (below "
               "when it cannot be).")
    return layouts.Layout("custom", "your mapping", table, chosen, start.date_format)


DECIDE = "decide"
OTHER = "other"
DATE_CHOICES = {DECIDE: "Decide from the file", "%d/%m/%Y": "D/M/YYYY (day first: %d/%m/%Y)",
                "%m/%d/%Y": "M/D/YYYY (month first: %m/%d/%Y)",
                "%d.%m.%Y": "D.M.YYYY (%d.%m.%Y)", OTHER: "Another pattern…"}


def date_format_choice(table: str, first: importing.Preview) -> str | None:
    """How the file's dates are written, when the user says so (None: decided from the
    file). Asked first of all when a column reads both as D/M/Y and M/D/Y."""
    if first.ambiguous_dates:
        st.warning(widgets.plain(f"{', '.join(first.ambiguous_dates)}: every date reads both day "
                                 "first and month first. Say how the file writes them:"),
                   icon=":material/help:")
    picked = st.selectbox("Dates are written as", list(DATE_CHOICES),
                          format_func=DATE_CHOICES.get, key=f"data_dates_{table}")
    if picked == OTHER:
        pattern = st.text_input("Date pattern (strptime, e.g. %d-%m-%y %H:%M)",
                                key=f"data_dates_pattern_{table}").strip()
        return pattern or None
    return None if picked == DECIDE else picked


def save_mapping_form(context: shell.Context, layout: layouts.Layout) -> None:
    with st.form("data_save_mapping", border=False):
        name = st.text_input("Save this mapping as", placeholder="e.g. Pipedrive deals")
        if st.form_submit_button("Save mapping", icon=":material/save:"):
            try:
                layouts.save_mapping(opened_store.connection(context.store_path), name,
                                     layout.table,
                                     {column: headers[0] for column, headers in
                                      layout.columns.items()}, layout.date_format)
            except layouts.LayoutError as error:
                st.error(widgets.plain(error), icon=":material/error:")
                return
            flash.saved(f"Saved the mapping {name.strip()!r}; choose it next time.")


@cache.read_again_after_writes()
def import_history(store_path: str) -> pd.DataFrame:
    with opened_store.cursor(store_path) as cursor:
        return importing.history(cursor, limit=200)


@cache.read_again_after_writes()
def import_changes(store_path: str, import_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows per table and change, the changed rows) of an accepted import."""
    with opened_store.cursor(store_path) as cursor:
        return (importing.change_counts(cursor, import_id),
                importing.changed_rows(cursor, import_id))


def import_changes_panel(store_path: str, runs: pd.DataFrame) -> None:
    """What one accepted import changed: counts per table (new, updated, people merged) and
    the changed rows, with a download of them."""
    accepted = runs[runs["outcome"] == "imported"]
    if accepted.empty:
        return
    labels = {int(run.import_id): f"#{run.import_id} {run.file_name} → {run.table_name}"
              for run in accepted.itertuples(index=False)}
    import_id = st.selectbox("What an import changed", list(labels),
                             format_func=labels.__getitem__, key="data_history_import")
    counts, rows = import_changes(store_path, import_id)
    if counts.empty:
        st.caption("This import changed no rows.")
        return
    st.dataframe(counts, hide_index=True, column_config={
        "table_name": "Table", "change": "Change",
        "rows": st.column_config.NumberColumn("Rows", format="localized")})
    if len(counts) and int(counts["rows"].sum()) >= importing.MAX_CHANGES_KEPT:
        st.caption(f"The first {importing.MAX_CHANGES_KEPT:,} changed rows are kept; the "
                   "history's counts above them are complete.")
    st.dataframe(rows.head(1_000), hide_index=True, column_config={
        "table_name": "Table", "key": "Key", "change": "Change", "column": "Column",
        "before": "Before", "after": "After"})
    st.download_button("Download the changed rows (CSV)", report.table_csv(rows),
                       file_name=f"import-{import_id}-changes.csv", mime="text/csv",
                       key="data_history_download")


@cache.read_again_after_writes()
def table_sizes(store_path: str) -> dict[str, int]:
    with opened_store.cursor(store_path) as cursor:
        return exporting.table_sizes(cursor)


def layout_choices(store_path: str, table: str) -> dict[str, layouts.Layout]:
    """The layouts a file for `table` may be read as: the built-in ones and the saved
    mappings."""
    with opened_store.cursor(store_path) as cursor:
        return layouts.choices_for(cursor, table)


def stage_mapping_editor(context: shell.Context) -> None:
    with opened_store.cursor(context.store_path) as cursor:
        seen = layouts.stage_mapping(cursor)
    frame = pd.DataFrame(seen, columns=["stage", "label", "status", "forecast_category"])
    edited = st.data_editor(
        frame.drop(columns="stage"), num_rows="dynamic", hide_index=True,
        key="data_stage_editor", column_config={
            # Not `required`: the grid would keep a half-filled new row to itself and save
            # without it; save_stage_mapping refuses it, naming the row and what is missing.
            "label": st.column_config.TextColumn("CRM stage"),
            "status": st.column_config.SelectboxColumn(
                "Status", options=list(layouts.DEAL_STATUSES)),
            "forecast_category": st.column_config.SelectboxColumn(
                "Forecast category", options=list(layouts.FORECAST_CATEGORIES))})
    if st.button("Save the stage mapping", icon=":material/save:"):
        rows = edited.astype(object).where(edited.notna(), None).to_dict("records")
        try:
            count = layouts.save_stage_mapping(
                opened_store.connection(context.store_path), rows, seen)
        except layouts.LayoutError as error:
            st.error(widgets.plain(error), icon=":material/error:")
            return
        flash.saved(f"Saved the stage mapping ({count} stages).",
                    reset_prefixes=("data_stage_editor",))


def table_csv(store_path: str, table: str) -> bytes:
    with opened_store.cursor(store_path) as cursor:
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / f"{table}.csv"
            exporting.export_table(cursor, table, "csv", output)
            return output.read_bytes()


def backup_bytes(store_path: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "revenue-relay-backup.duckdb"
        exporting.backup(opened_store.connection(store_path), output)
        return output.read_bytes()


def restore_form(store_path: str) -> None:
    """Upload a backup and put it in place of the store (admins only: restoring.restore
    checks). The dashboard's inbox worker is stopped and its connection closed just before
    the swap; the next run opens the restored store."""
    st.caption("Put a backup file (from `python -m relay backup` or the Data page's backup "
               "download) in place of the store. It is checked first (a Revenue Relay "
               "store, not from a newer version, every block readable); a backup that fails "
               "is refused and nothing changes. The current store is kept beside it as "
               "`<store>.replaced-YYYYMMDD-HHMMSS`. Everyone's pages then show the backup.")
    uploaded = st.file_uploader("Backup file", key="data_restore_file")
    if uploaded is None or not st.button(
            f"Restore {widgets.plain(uploaded.name)} in place of the store", type="primary",
            icon=":material/settings_backup_restore:", key="data_restore_confirm"):
        return
    backup = saved_upload(uploaded)
    try:
        with (st.spinner(f"Checking and restoring {widgets.plain(uploaded.name)}…"),
              opened_store.STORE_LOCK):
            done = restoring.restore(Path(store_path), backup, source_name=uploaded.name,
                                     release=lambda: opened_store.restart(store_path))
    except store.StoreError as error:  # refused (bad backup, store held): nothing changed
        st.error(widgets.plain(error), icon=":material/error:")
        return
    finally:
        backup.unlink(missing_ok=True)
    # A page run that read the replaced store while it was swapped may have cached its
    # figures after restart() forgot them: forget everything once more.
    opened_store.data_changed()
    kept = f" The replaced store was kept as {done.kept}." if done.kept else ""
    flash.saved(f"Restored {uploaded.name} ({done.tables} tables).{kept}",
                reset_prefixes=("data_", *flash.GOAL_STATE_PREFIXES))


SETTING_FIELDS = {
    "fiscal_year_start_month": ("First month of the fiscal year (1-12)",
                                "Set it before entering goals: they are kept under their "
                                "quarter's label."),
    "currency": ("Currency (ISO code, e.g. USD)", "How amounts are shown; nothing converts."),
    "sla_hours": ("Speed-to-lead SLA (hours)", "Planners also change it on Speed to lead."),
    "lookback_quarters": ("Closed quarters that calibrate win rates and conversion (1-12)",
                          None),
    "forecast_cutoff_week": ("Week of a quarter whose calls the track record judges (1-13)",
                             None),
    "app_url": ("The dashboard's address, for links in calendar files and digests",
                "Empty: the address the dashboard is served at (the command line then uses "
                "http://localhost:8501)."),
    "smtp_host": ("Mail server for the weekly digest (host)", "The password is a secret: "
                  "RELAY_SMTP_PASSWORD or [smtp] password in .streamlit/secrets.toml."),
    "smtp_port": ("Mail server port", None),
    "smtp_starttls": ("Mail server: STARTTLS (true or false)", None),
    "smtp_user": ("Mail server user", None),
    "digest_from": ("The digest's sender address", None),
    "fx_rates": ("Exchange rates for imported costs, e.g. EUR=1.08, GBP=1.27",
                 "One unit of each currency in the store's currency. A spend file in another "
                 "currency is converted by it, and refused without it."),
    "attribution_model": ("The company's attribution model (first_touch, last_touch, linear, "
                          "u_shaped, w_shaped or time_decay)",
                          "What Campaign performance credits campaigns by unless a reader "
                          "picks another model there."),
    "attribution_half_life_days": ("Time decay's half-life (days)",
                                   "A touch this many days before the deal counts half as "
                                   "much as one on the day."),
}


def settings_form(context: shell.Context) -> None:
    """The store's settings, saved all or none."""
    current = settings.as_texts(context.settings)
    with st.form("data_settings", border=False):
        typed = {key: st.text_input(label, value=current[key], help=help_text,
                                    key=f"data_setting_{key}")
                 for key, (label, help_text) in SETTING_FIELDS.items()}
        if not st.form_submit_button("Save settings", icon=":material/save:"):
            return
    changed = {key: text for key, text in typed.items() if text.strip() != current[key]}
    if not changed:
        st.info("Nothing changed, so nothing was saved.", icon=":material/info:")
        return
    try:
        settings.change_many(opened_store.connection(context.store_path), changed)
    except ValueError as error:
        st.error(widgets.plain(error), icon=":material/error:")
        return
    flash.saved(f"Saved {', '.join(changed)} (recorded in the audit log).")
