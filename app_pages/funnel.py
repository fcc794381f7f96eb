"""Demand funnel: stage counts and cohort conversion, against last quarter and the trailing
four, broken down by channel, region and segment."""

import streamlit as st

from relay import format as fmt
from relay.ui import cache, charts, shell, widgets
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
left, right = st.columns(2)
widgets.chart(charts.stage_counts(stages), left)
widgets.chart(charts.conversion_over_time(view.tables["over_time"], funnel.OVER_TIME), right)

st.subheader("Conversion, cohort by cohort")
st.caption(f"Of the leads that reached a stage this quarter, the share that reached the next "
           f"at any time so far. Rates on fewer than {funnel.MIN_SIGNIFICANT} leads are "
           "marked not significant.")
rate = st.column_config.NumberColumn("Rate", format="percent")
st.dataframe(view.tables["conversion"], hide_index=True, column_order=[
    "label", "cohort", "converted", "rate", "significant", "previous_rate", "trailing_rate"],
    column_config={"label": "Step", "cohort": "Cohort (leads)", "converted": "Converted",
                   "rate": rate, "significant": "Significant",
                   "previous_rate": st.column_config.NumberColumn("Last quarter",
                                                                  format="percent"),
                   "trailing_rate": st.column_config.NumberColumn("Trailing 4 quarters",
                                                                  format="percent")})

st.subheader("By channel, region and segment")
dimension = st.segmented_control("Break down by", ["channel", "region", "segment"],
                                 default="channel", key="funnel_dimension",
                                 format_func=str.capitalize)
breakdown = view.tables["breakdown"]
st.dataframe(
    breakdown[breakdown["dimension"] == (dimension or "channel")], hide_index=True,
    column_order=["value", "label", "cohort", "converted", "rate", "significant",
                  "previous_rate", "trailing_rate"],
    column_config={"value": (dimension or "channel").capitalize(), "label": "Step",
                   "cohort": "Cohort (leads)", "converted": "Converted", "rate": rate,
                   "significant": "Significant",
                   "previous_rate": st.column_config.NumberColumn("Last quarter",
                                                                  format="percent"),
                   "trailing_rate": st.column_config.NumberColumn("Trailing 4 quarters",
                                                                  format="percent")},
)
