"""Executive overview: the shared revenue target, where we stand, and the forecast."""

import streamlit as st

from relay import charts
from relay import format as fmt
from relay.fiscal import Phase
from relay.ui import cache, drill, forecast, shell, widgets

context = shell.context()
currency = context.settings.currency
st.title("Executive overview")
st.caption(widgets.plain(f"{context.filters.describe()} · as of {context.today:%d %b %Y}"))

shell.need_data(context, ("deals", "goals", "leads"), "the revenue target, closed-won revenue, the "
                "forecast and the funnel")

view = cache.view("overview", context.store_path, context.filters, context.today)
widgets.notes(view.notes)
value = view.value
phase = context.filters.quarter.phase(context.today)

for heading, row in forecast.headline(view, currency).items():
    st.subheader(heading)
    widgets.metric_row(view, row, currency)
    drill.under_cards(context, view, [key for key, _ in row])

left, right = st.columns(2)
calls = forecast.calls_chart(view, currency)
if calls is not None:
    widgets.chart(calls, left)
with right:
    drill.chart(context, charts.revenue_trend(view.tables["trend"], currency), "trend",
                drill.trend_bar)

if phase is not Phase.CLOSED:
    with st.expander("How the weighted pipeline is weighted"):
        forecast.weighting_table(view.tables["weighted_pipeline"], currency)
st.page_link("app_pages/forecast.py", label="The forecast in full: by rep, week and quarter",
             icon=":material/query_stats:")


def goal(key: str) -> str | None:
    return None if value(key) is None else f"goal {fmt.count(value(key))}"


st.subheader("Demand")
if phase is Phase.FUTURE:  # the plan: the goals, nothing has happened yet
    widgets.metric_row(view, [("mql_target", None), ("sql_target", None)], currency)
else:
    widgets.metric_row(view, [
        ("mqls", goal("mql_target")),
        ("sqls", goal("sql_target")),
        ("marketing_sourced_pipeline_share",
         None if value("pipeline_created") is None
         else f"of {fmt.money(value('pipeline_created'), currency)} created this quarter"),
        ("marketing_sourced_revenue_share",
         None if value("closed_won") is None
         else f"of {fmt.money(value('closed_won'), currency)} closed-won this quarter"),
    ], currency)
    # Under the campaign-lead shares: the leads and deals they are shares of.
    drill.under_cards(context, view, ["mqls", "sqls", "pipeline_created", None])
