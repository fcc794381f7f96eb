"""Campaign performance: cost, leads, pipeline and revenue per campaign and channel."""

import streamlit as st

from relay.ui import cache, charts, shell, widgets

context = shell.context()
currency = context.settings.currency
st.title("Campaign performance")
st.caption(widgets.plain(f"{context.filters.describe()} · campaigns running in the quarter, with "
                    f"what their leads produced by {context.today:%d %b %Y}"))
shell.need_data(context, ("campaigns",), "what each campaign cost and produced")
view = cache.view("campaigns", context.store_path, context.filters, context.today)
widgets.notes(view.notes)
widgets.metric_row(view, [("campaigns_run", None), ("campaign_cost", None),
                     ("campaign_sourced_pipeline", None), ("campaign_sourced_revenue", None),
                     ("campaign_roi", None)], currency)

money = widgets.money_column
columns = {
    "name": st.column_config.TextColumn("Campaign", width="large"), "channel": "Channel",
    "actual_cost": money("Cost", currency), "leads": "Leads", "mqls": "MQLs", "sqls": "SQLs",
    "sourced_pipeline": money("Sourced pipeline", currency),
    "sourced_revenue": money("Sourced revenue", currency),
    "cost_per_lead": money("Cost per lead", currency),
    "cost_per_sql": money("Cost per SQL", currency),
    "roi": st.column_config.NumberColumn("ROI", format="percent",
                                         help="Empty where no cost is recorded"),
    "acceptance_rate": st.column_config.NumberColumn("Acceptance", format="percent"),
    "campaigns": "Campaigns",
}
channels = view.tables["channels"]
if len(channels):
    widgets.chart(charts.channel_returns(channels, currency))
st.subheader("By channel")
st.dataframe(channels, hide_index=True, column_config=columns, column_order=[
    "channel", "campaigns", "actual_cost", "leads", "mqls", "sqls", "sourced_pipeline",
    "sourced_revenue", "cost_per_lead", "cost_per_sql", "roi", "acceptance_rate"])

st.subheader("By campaign")
table = view.tables["campaigns"]
chosen = st.multiselect("Channel", sorted(table["channel"].unique()), key="campaigns_channel",
                        placeholder="All channels")
shown = table[table["channel"].isin(chosen)] if chosen else table
st.dataframe(shown.head(widgets.MAX_ROWS), hide_index=True, column_config=columns, column_order=[
    "name", "channel", "actual_cost", "leads", "mqls", "sqls", "sourced_pipeline",
    "sourced_revenue", "cost_per_lead", "cost_per_sql", "roi", "acceptance_rate"])
st.download_button("Download (CSV)", lambda: widgets.csv_bytes(shown),
                   file_name="campaign-performance.csv", mime="text/csv",
                   icon=":material/download:", on_click="ignore")
