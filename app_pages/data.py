"""Data: bring in the company's own data from CRM exports, see what was imported, and take
it out again."""

import streamlit as st

from relay import exporting, importing, layouts
from relay.ui import data, flash, shell

context = shell.context()
st.title("Data")
st.caption("Import CSV or Excel exports from your CRM, map CRM stages, see every import, "
           "download any table or the whole store, and change the settings.")
flash.show_flash()
data.inbox_notice(context)

upload, stages, history, downloads, configured = st.tabs(
    ["Import a file", "Stage mapping", "Import history", "Downloads and backup", "Settings"])

with upload:
    tables = list(layouts.TABLES)
    table = st.selectbox("Into the table", tables, index=tables.index("deals"), key="data_table",
                         format_func=lambda name: layouts.TABLES[name].label)
    uploaded = st.file_uploader(
        "CSV (UTF-8) or Excel (.xlsx) file", type=["csv", "txt", "tsv", "xlsx"],
        key="data_file", help="HubSpot deal exports and Salesforce opportunity reports are "
                              "recognised by their headers; any other layout you map yourself.")
    st.caption(f"Up to {importing.MAX_FILE_BYTES / 2**30:.0f} GiB. For nightly imports use "
               "`python -m relay import FILE --table deals --preset hubspot` (it works while "
               "the dashboard is running).")
    if uploaded is not None:
        path = data.saved_upload(uploaded)
        first = data.preview(context, path, uploaded.name, table, None)
        choices = data.layout_choices(context.store_path, table)
        options = [*choices, data.MAP_MYSELF]
        recognised = first.layout if first.layout in choices else "relay"
        picked = st.selectbox(
            "Layout of the file", options, index=options.index(recognised),
            key=f"data_layout_{table}",
            format_func=lambda name: "Map the columns myself" if name == data.MAP_MYSELF
            else choices[name].label + (" (recognised)" if name == first.layout else ""))
        layout = picked
        if picked == data.MAP_MYSELF and first.headers:
            layout = data.mapping_form(first.headers, table, choices[recognised])
            data.save_mapping_form(context, layout)
        date_format = data.date_format_choice(table, first)
        result = first if picked == first.layout and date_format is None else data.preview(
            context, path, uploaded.name, table, layout, date_format)
        st.subheader("Preview")
        data.show_preview(result)
        if result.ok and st.button(
                f"Import {result.inserted + result.updated:,} new or changed rows into "
                f"{layouts.TABLES[table].label.lower()}", type="primary",
                icon=":material/upload:", key="data_confirm"):
            data.do_import(context, path, uploaded.name, table, layout, result, date_format)

with stages:
    st.caption("How the stage names in CRM files become a deal's status and forecast "
               "category. A file with a stage not listed here is refused until it is added. "
               "Stage names are matched ignoring case.")
    data.stage_mapping_editor(context)

with history:
    runs = data.import_history(context.store_path)
    if runs.empty:
        st.info("No imports yet.", icon=":material/history:")
    else:
        st.dataframe(runs, hide_index=True, column_config={
            "import_id": st.column_config.NumberColumn("#", format="%d"),
            "started_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
            "actor": "Who", "file_name": "File", "table_name": "Table", "layout": "Layout",
            "rows_in_file": st.column_config.NumberColumn("Rows", format="localized"),
            "inserted": st.column_config.NumberColumn("New", format="localized"),
            "updated": st.column_config.NumberColumn("Updated", format="localized"),
            "unchanged": st.column_config.NumberColumn("Unchanged", format="localized"),
            "new_people": st.column_config.NumberColumn("New people", format="localized"),
            "problems": st.column_config.NumberColumn("Problems", format="localized"),
            "outcome": "Outcome", "message": st.column_config.TextColumn("Message",
                                                                         width="large")})
        data.import_changes_panel(context.store_path, runs)

with downloads:
    sizes = data.table_sizes(context.store_path)
    st.caption("CSV text that a spreadsheet would run as a formula starts with an apostrophe. "
               f"Tables over {data.MAX_DOWNLOAD_ROWS:,} rows: `python -m relay export "
               "--table leads --format parquet --output leads.parquet`.")
    columns = st.columns(3)
    for number, name in enumerate(exporting.TABLES):
        rows = sizes.get(name, 0)
        columns[number % 3].download_button(
            f"{name} ({rows:,} rows)", lambda name=name: data.table_csv(
                context.store_path, name),
            file_name=f"{name}.csv", mime="text/csv", icon=":material/download:",
            on_click="ignore", disabled=rows > data.MAX_DOWNLOAD_ROWS,
            key=f"data_download_{name}")
    st.subheader("Backup")
    st.caption("A copy of the whole store as one DuckDB file, taken while the dashboard "
               "runs; open it with RELAY_DB=FILE. From the command line: "
               "`python -m relay backup --output FILE`.")
    st.download_button("Download a backup of the store", lambda: data.backup_bytes(
        context.store_path), file_name="revenue-relay-backup.duckdb",
        mime="application/octet-stream", icon=":material/backup:", on_click="ignore",
        disabled=sum(sizes.values()) > 5 * data.MAX_DOWNLOAD_ROWS, key="data_backup")
    st.subheader("Restore")
    data.restore_form(context.store_path)

with configured:
    st.caption("Shared by everyone; each change is recorded in the audit log.")
    data.settings_form(context)
