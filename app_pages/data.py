"""Data: bring in the company's own data from CRM exports, see what was imported, and take
it out again."""

import streamlit as st

from relay import data_ui, exporting, importing, layouts, ui

context = ui.context()
st.title("Data")
st.caption("Import CSV or Excel exports from your CRM, map CRM stages, see every import, "
           "download any table or the whole store, and change the settings.")
ui.show_flash()
data_ui.inbox_notice(context)

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
        path = data_ui.saved_upload(uploaded)
        first = data_ui.preview(context, path, uploaded.name, table, None)
        cursor = ui.cursor(context.store_path)
        try:
            choices = layouts.choices_for(cursor, table)
        finally:
            cursor.close()
        options = [*choices, data_ui.MAP_MYSELF]
        recognised = first.layout if first.layout in choices else "relay"
        picked = st.selectbox(
            "Layout of the file", options, index=options.index(recognised),
            key=f"data_layout_{table}",
            format_func=lambda name: "Map the columns myself" if name == data_ui.MAP_MYSELF
            else choices[name].label + (" (recognised)" if name == first.layout else ""))
        layout = picked
        if picked == data_ui.MAP_MYSELF and first.headers:
            layout = data_ui.mapping_form(first.headers, table, choices[recognised])
            data_ui.save_mapping_form(context, layout)
        date_format = data_ui.date_format_choice(table, first)
        result = first if picked == first.layout and date_format is None else data_ui.preview(
            context, path, uploaded.name, table, layout, date_format)
        st.subheader("Preview")
        data_ui.show_preview(result)
        if result.ok and st.button(
                f"Import {result.inserted + result.updated:,} new or changed rows into "
                f"{layouts.TABLES[table].label.lower()}", type="primary",
                icon=":material/upload:", key="data_confirm"):
            data_ui.do_import(context, path, uploaded.name, table, layout, result,
                              date_format)

with stages:
    st.caption("How the stage names in CRM files become a deal's status and forecast "
               "category. A file with a stage not listed here is refused until it is added. "
               "Stage names are matched ignoring case.")
    data_ui.stage_mapping_editor(context)

with history:
    runs = data_ui.import_history(context.store_path)
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
        data_ui.import_changes_panel(context.store_path, runs)

with downloads:
    sizes = data_ui.table_sizes(context.store_path)
    st.caption("CSV text that a spreadsheet would run as a formula starts with an apostrophe. "
               f"Tables over {data_ui.MAX_DOWNLOAD_ROWS:,} rows: `python -m relay export "
               "--table leads --format parquet --output leads.parquet`.")
    columns = st.columns(3)
    for number, name in enumerate(exporting.TABLES):
        rows = sizes.get(name, 0)
        columns[number % 3].download_button(
            f"{name} ({rows:,} rows)", lambda name=name: data_ui.table_csv(
                context.store_path, name),
            file_name=f"{name}.csv", mime="text/csv", icon=":material/download:",
            on_click="ignore", disabled=rows > data_ui.MAX_DOWNLOAD_ROWS,
            key=f"data_download_{name}")
    st.subheader("Backup")
    st.caption("A copy of the whole store as one DuckDB file, taken while the dashboard "
               "runs; open it with RELAY_DB=FILE. From the command line: "
               "`python -m relay backup --output FILE`.")
    st.download_button("Download a backup of the store", lambda: data_ui.backup_bytes(
        context.store_path), file_name="revenue-relay-backup.duckdb",
        mime="application/octet-stream", icon=":material/backup:", on_click="ignore",
        disabled=sum(sizes.values()) > 5 * data_ui.MAX_DOWNLOAD_ROWS, key="data_backup")
    st.subheader("Restore")
    data_ui.restore_form(context.store_path)

with configured:
    st.caption("Shared by everyone; each change is recorded in the audit log.")
    data_ui.settings_form(context)
