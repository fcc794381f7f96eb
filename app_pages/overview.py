"""Executive overview: the shared revenue target, where we stand, and the forecast."""

import streamlit as st

from relay import format as fmt
from relay.ui import cache, charts, drill, forecast, shell, widgets

context = shell.context()
currency = context.settings.currency
st.title("Executive overview")
st.caption(widgets.plain(f"{context.filters.describe()} · as of {context.today:%d %b %Y}"))

shell.need_data(context, ("deals", "goals", "leads"), "the revenue target, closed-won revenue, the "
                "forecast and the funnel")

view = cache.view("overview", context.store_path, context.filters, context.today)
widgets.notes(view.notes)
value = view.value

st.subheader("Where we stand")
widgets.metric_row(view, [
    ("revenue_target", None),
    ("closed_won", None),
    ("attainment", f"{fmt.percent(value('quarter_elapsed'))} of the quarter gone"),
    ("remaining_target", None),
], currency)
drill.under_cards(context, view, [None, "closed_won", None, None])

st.subheader("The forecast")
widgets.metric_row(view, [
    ("commit", f"{fmt.count(value('submitters'))} reps submitted"),
    ("best_case", None),
    ("model_forecast", None),
    ("weighted_pipeline", None),
    ("pipeline_coverage", f"of {fmt.money(value('remaining_target'), currency)} still to close"),
], currency)

left, right = st.columns(2)
with left:
    calls = [("Closed-won so far", value("closed_won"))]
    if value("submitters"):
        calls += [("Commit (reps)", value("commit")), ("Best case (reps)", value("best_case"))]
    calls.append(("Model forecast", value("model_forecast")))
    widgets.chart(charts.forecast_against_target(calls, value("revenue_target"), currency))
with right:
    drill.chart(context, charts.revenue_trend(view.tables["trend"], currency), "trend",
                drill.trend_bar)

with st.expander("How the weighted pipeline is weighted"):
    forecast.weighting_table(view.tables["weighted_pipeline"], currency)
    st.page_link("app_pages/forecast.py", label="The forecast in full: by rep, week and quarter",
                 icon=":material/query_stats:")

st.subheader("Demand")
widgets.metric_row(view, [
    ("mqls", f"goal {fmt.count(value('mql_target'))}"),
    ("sqls", f"goal {fmt.count(value('sql_target'))}"),
    ("marketing_sourced_pipeline_share",
     f"of {fmt.money(value('pipeline_created'), currency)} created"),
    ("marketing_sourced_revenue_share",
     f"of {fmt.money(value('closed_won'), currency)} closed-won"),
], currency)
drill.under_cards(context, view, ["mqls", "sqls", "pipeline_created", None])
