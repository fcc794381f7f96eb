"""Campaign performance: cost in the quarter, leads, pipeline and revenue per campaign and
channel."""

import streamlit as st

from relay import attribution, charts
from relay.ui import cache, drill, shell, widgets

context = shell.context()
currency = context.settings.currency
st.title("Campaign performance")
st.caption(widgets.plain(f"{context.filters.describe()} · campaigns running in the quarter: "
                         "their spend in the quarter (spread over their days) and what their "
                         f"leads of the quarter have produced by {context.today:%d %b %Y}"))
shell.need_data(context, ("campaigns",), "what each campaign cost and produced")
half_life = context.settings.attribution_half_life_days
model = st.selectbox(
    "Attribution model", list(attribution.MODELS),
    index=list(attribution.MODELS).index(context.settings.attribution_model),
    format_func=lambda name: attribution.label(name, half_life), key="campaigns_model",
    help="How a deal is shared among the campaigns that touched its lead: the credited "
         "figures, ROI under the model and the credited columns follow it. The company's "
         "model (setting attribution_model) comes first.")
view = cache.view("campaigns", context.store_path, context.filters, context.today, model=model)
widgets.notes(view.notes)
widgets.metric_row(view, [("campaigns_run", None), ("campaign_cost", None),
                          ("campaign_sourced_pipeline", None),
                          ("campaign_sourced_revenue", None), ("campaign_roi", None)], currency)
drill.under_cards(context, view, ["campaigns_run", "campaign_cost", "campaign_sourced_pipeline",
                                  "campaign_sourced_revenue", None])
widgets.metric_row(view, [("campaign_credited_pipeline", None),
                          ("campaign_credited_revenue", None),
                          ("campaign_credited_roi", None)], currency)

money, percent, count = widgets.money_column, widgets.percent_column, widgets.count_column
NO_COST = "A dash: no cost recorded"
columns = {
    "name": st.column_config.TextColumn("Campaign", width="large"), "channel": "Channel",
    "start_date": st.column_config.DateColumn("Starts", format="D MMM YYYY"),
    "end_date": st.column_config.DateColumn("Ends", format="D MMM YYYY"),
    "cost_in_quarter": money("Cost in the quarter", currency,
                             f"The campaign's cost spread over its days, times its days in "
                             f"the quarter. {NO_COST}."),
    "leads": count("Leads in the quarter", "Leads from the campaign that arrived in the "
                   "quarter. A dash: the quarter has not started, or no lead is linked to a "
                   "campaign."),
    "mqls": count("MQLs", "A dash: no lead is linked to a campaign, or no lead records an "
                  "MQL date."),
    "sqls": count("SQLs", "A dash: no lead is linked to a campaign, or no lead records an "
                  "SQL date."),
    "sourced_pipeline": money("Pipeline from these leads", currency,
                              "Deals from the campaign's leads of the quarter. A dash: no "
                              "deal is linked to a lead."),
    "sourced_revenue": money("Won from these leads", currency,
                             "Won deals from the campaign's leads of the quarter. A dash: no "
                             "deal is linked to a lead."),
    "cost_per_lead": money("Cost per lead in the quarter", currency,
                           f"Cost in the quarter ÷ leads in the quarter. {NO_COST}, or no "
                           "leads yet."),
    "cost_per_sql": money("Cost per SQL in the quarter", currency,
                          f"Cost in the quarter ÷ SQLs. {NO_COST}, no SQLs yet, or "
                          "no SQL dates in the leads."),
    "roi": percent("ROI in the quarter", f"(Won − cost) ÷ cost. {NO_COST}, or a cost of 0 "
                   "(no cost, so no return on it)."),
    "acceptance_rate": percent("Acceptance", "SALs ÷ MQLs. A dash: no MQLs yet, or no SAL "
                   "or MQL dates in the leads."),
    "campaigns": count("Campaigns in the quarter"),
    "credited_pipeline": money("Pipeline credited", currency,
                               "Under the model chosen: the credit of deals created to date "
                               "for the campaign's touches in the quarter. A dash: no "
                               "campaign touches in the store."),
    "credited_revenue": money("Won credited", currency,
                              "Under the model chosen: the credit of deals won to date for "
                              "the campaign's touches in the quarter. A dash: no campaign "
                              "touches in the store."),
    "credited_roi": percent("ROI under the model", f"(Won credited − cost) ÷ cost. {NO_COST}, "
                            "a cost of 0, or no campaign touches in the store."),
}
channels = view.tables["channels"]
if len(channels):
    widgets.chart(charts.channel_returns(channels, currency))
st.subheader("By channel")
drill.table(context, channels, columns, "channels_table", drill.channel_row, column_order=[
    "channel", "campaigns", "cost_in_quarter", "leads", "mqls", "sqls", "sourced_pipeline",
    "sourced_revenue", "cost_per_lead", "cost_per_sql", "roi", "credited_pipeline",
    "credited_revenue", "credited_roi", "acceptance_rate"])

st.subheader("By campaign")
table = view.tables["campaigns"]
chosen = st.multiselect("Channel", sorted(table["channel"].unique()), key="campaigns_channel",
                        placeholder="All channels")
shown = table[table["channel"].isin(chosen)] if chosen else table
drill.table(context, shown.head(widgets.MAX_ROWS), columns, "campaigns_table", drill.campaign_row,
            column_order=["name", "channel", "start_date", "end_date", "cost_in_quarter",
                          "leads", "mqls", "sqls", "sourced_pipeline", "sourced_revenue",
                          "cost_per_lead", "cost_per_sql", "roi", "credited_pipeline",
                          "credited_revenue", "credited_roi", "acceptance_rate"])
st.download_button("Download (CSV)", lambda: widgets.csv_bytes(shown),
                   file_name="campaign-performance.csv", mime="text/csv",
                   icon=":material/download:", on_click="ignore")

st.subheader("Models side by side")
st.caption("Each channel's campaigns of the quarter: the pipeline and the revenue won they are "
           "credited with under every model, so you see where the credit moves. First touch "
           "is the pipeline and revenue from the campaigns' own leads. A deal no campaign "
           "touched is in no channel.")
side_by_side = {"channel": "Channel"}
for name in attribution.MODELS:
    side_by_side[f"pipeline_{name}"] = money(
        f"Pipeline: {attribution.label(name)}", currency,
        f"Pipeline credited under {attribution.label(name, half_life)}. A dash: no campaign "
        "touches in the store.")
for name in attribution.MODELS:
    side_by_side[f"revenue_{name}"] = money(
        f"Won: {attribution.label(name)}", currency,
        f"Revenue won credited under {attribution.label(name, half_life)}. A dash: no "
        "campaign touches in the store.")
widgets.table(view.tables["models"], side_by_side, column_order=list(side_by_side))
