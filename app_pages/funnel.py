"""Demand funnel: stage counts and cohort conversion, against last quarter and the trailing
four, broken down by channel, region and segment."""

import streamlit as st

from relay import charts
from relay import format as fmt
from relay.fiscal import Phase
from relay.ui import cache, drill, shell, widgets
from relay.views import funnel

context = shell.context()
st.title("Demand funnel")
st.caption(widgets.plain(f"{context.filters.describe()} · as of {context.today:%d %b %Y}"))
shell.need_data(context, ("leads",), "MQLs, SALs, SQLs and how leads convert")
view = cache.view("funnel", context.store_path, context.filters, context.today)
widgets.notes(view.notes)

stages = view.tables["stages"]
widgets.metric_row(view, [
    (f"funnel_{row.stage}", f"{fmt.count(row.previous_quarter)} last quarter")
    for row in stages.itertuples()
], context.settings.currency)
drill.under_cards(context, view, [f"funnel_{stage}" for stage in stages["stage"]])

RATE_DASH = "A dash: no rate (nobody in the cohort, or the stage's dates aren't recorded)."
COLUMNS = {
    "label": "Step",
    "cohort": widgets.count_column("Cohort (leads)", "Leads that reached the first stage "
                                   "this quarter. A dash: that stage's dates aren't recorded."),
    "converted": widgets.count_column("Converted", "Of the cohort, the leads that reached the "
                                      "next stage so far. " + RATE_DASH),
    "rate": widgets.percent_column("Rate", RATE_DASH),
    "significant": st.column_config.CheckboxColumn(
        "Significant", help=f"At least {funnel.MIN_SIGNIFICANT} leads behind the rate. "
        "A dash: there is no rate to judge."),
    "previous_rate": widgets.percent_column("Last quarter", RATE_DASH),
    "trailing_rate": widgets.percent_column("Trailing 4 quarters", RATE_DASH),
}

if context.filters.quarter.phase(context.today) is not Phase.FUTURE:
    left, right = st.columns(2)
    drill.chart(context, charts.stage_counts(stages), "funnel_stages", drill.funnel_bar, left)
    widgets.chart(charts.conversion_over_time(view.tables["over_time"], funnel.OVER_TIME), right)

    st.subheader("Conversion, cohort by cohort")
    st.caption(f"Of the leads that reached a stage this quarter, the share that reached the "
               f"next at any time so far. Rates on fewer than {funnel.MIN_SIGNIFICANT} leads "
               "are marked not significant.")
    drill.table(context, view.tables["conversion"], COLUMNS, "funnel_conversion",
                drill.funnel_step_row, column_order=[
        "label", "cohort", "converted", "rate", "significant", "previous_rate",
        "trailing_rate"])

    st.subheader("By channel, region and segment")
    dimension = st.segmented_control("Break down by", ["channel", "region", "segment"],
                                     default="channel", key="funnel_dimension",
                                     format_func=str.capitalize) or "channel"
    breakdown = view.tables["breakdown"]
    drill.table(
        context, breakdown[breakdown["dimension"] == dimension].reset_index(drop=True),
        {"value": dimension.capitalize(), **COLUMNS}, f"funnel_breakdown_{dimension}",
        drill.funnel_step_row, column_order=[
            "value", "label", "cohort", "converted", "rate", "significant", "previous_rate",
            "trailing_rate"],
    )
