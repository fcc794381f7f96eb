"""Forecast versus actual: will we make the number, how the call moved, and how good past
calls were."""

import streamlit as st

from relay import format as fmt
from relay.identity import Role
from relay.ui import cache, charts, drill, flash, forecast, roles, shell, widgets

context = shell.context()
currency = context.settings.currency
st.title("Forecast")
st.caption(widgets.plain(f"{context.filters.describe()} · as of {context.today:%d %b %Y}"))
flash.show_flash()

shell.need_data(context, ("deals",), "closed-won revenue, the pipeline and the forecast")

view = cache.view("forecast", context.store_path, context.filters, context.today)
value = view.value
columns = forecast.call_columns(currency)
may_submit = roles.may(Role.REP)
this_quarter, moved, record, *submit = st.tabs(
    ["This quarter", "How the call moved", "Track record"]
    + (["Submit a forecast"] if may_submit else []))

with this_quarter:
    widgets.notes(view.notes)
    widgets.metric_row(view, [
        ("revenue_target", None),
        ("closed_won", f"{fmt.percent(value('attainment'))} done · "
                       f"{fmt.percent(value('quarter_elapsed'))} of time"),
        ("commit", f"{fmt.count(value('submitters'))} of {fmt.count(value('reps_in_scope'))} "
                   "reps called"),
        ("best_case", None),
        ("model_forecast", None),
    ], currency)
    drill.under_cards(context, view, [None, "closed_won", None, None, None])
    widgets.metric_row(view, [
        ("open_pipeline", None),
        ("weighted_pipeline", None),
        ("pipeline_coverage", f"of {fmt.money(value('remaining_target'), currency)} to close"),
        ("commit_gap", forecast.gap_note(value("commit_gap"))),
        ("forecast_gap", forecast.gap_note(value("forecast_gap"))),
    ], currency)
    drill.under_cards(context, view, ["open_pipeline", None, None, None, None])
    calls = [("Closed-won so far", value("closed_won"))]
    if value("submitters"):
        calls += [("Commit (reps)", value("commit")), ("Best case (reps)", value("best_case"))]
    calls.append(("Model forecast", value("model_forecast")))
    widgets.chart(charts.forecast_against_target(calls, value("revenue_target"), currency))

    st.subheader("The calls by rep, team and region")
    for tab, level in zip(st.tabs(["Rep", "Team", "Region"]), ("rep", "team", "region"),
                          strict=True):
        tab.dataframe(view.tables[f"by_{level}"], hide_index=True,
                      column_order=forecast.ROLLUP_COLUMNS[level], column_config=columns)
    st.caption("A manager's own call is shown beside the team's but not added to it: it is a "
               "call on the same deals.")
    with st.expander("How the model weighs the open pipeline"):
        forecast.weighting_table(view.tables["weighted_pipeline"], currency)

with moved:
    weekly = view.tables["weekly"]
    if len(weekly):
        widgets.chart(charts.forecast_by_week(weekly, currency))
    else:
        st.info(f"{context.filters.quarter} has not started: there is no week to show yet.",
                icon=":material/hourglass_empty:")
    st.subheader("What changed in the pipeline")
    widgets.warn_bad_link_date("from", "From")
    widgets.warn_bad_link_date("to", "To")
    left, right = st.columns(2)
    changes_from = left.date_input("From the start of", value=None, key="from",
                                   bind="query-params", format="YYYY-MM-DD",
                                   help="Empty: the quarter's first day.")
    changes_to = right.date_input("To the end of", value=None, key="to", bind="query-params",
                                  format="YYYY-MM-DD", help="Empty: today.")
    changes = cache.view("forecast_movement", context.store_path, context.filters, context.today,
                         changes_from=changes_from, changes_to=changes_to)
    for problem in changes.problems:
        st.error(widgets.plain(problem), icon=":material/date_range:")
    if not changes.problems:
        widgets.notes(changes.notes)
        widgets.metric_row(changes, [("pipeline_at_start", None), ("pipeline_at_end", None),
                                ("pipeline_net_change", None), ("won_between", None)], currency)
        summary = changes.tables["changes"]
        widgets.chart(charts.pipeline_movement(summary, changes.value("pipeline_at_start"),
                                          changes.value("pipeline_at_end"), currency))
        st.dataframe(summary, hide_index=True, column_order=[
            "label", "deals", "pipeline_change", "amount_at_end"], column_config={
            "label": "Movement", "deals": st.column_config.NumberColumn("Deals", format="%d"),
            "pipeline_change": widgets.money_column("Change to the pipeline", currency),
            "amount_at_end": widgets.money_column("Amount at the end", currency)})
        deals = changes.tables["changed_deals"]
        st.caption(f"{len(deals):,} deals moved; the {min(len(deals), widgets.MAX_ROWS):,} with "
                   "the largest change are listed (the download has them all).")
        st.dataframe(deals.head(widgets.MAX_ROWS), hide_index=True, column_config={
            "movement": None, "label": "Movement", "deal_id": "Deal", "account": "Account",
            "owner": "Owner", "region": "Region", "segment": "Segment",
            "amount_from": widgets.money_column("Amount at the start", currency),
            "amount_to": widgets.money_column("Amount at the end", currency),
            "close_from": st.column_config.DateColumn("Close date then", format="YYYY-MM-DD"),
            "close_to": st.column_config.DateColumn("Close date now", format="YYYY-MM-DD"),
            "pipeline_change": widgets.money_column("Change", currency)})
        st.download_button("Download the changed deals (CSV)", lambda: widgets.csv_bytes(deals),
                           file_name="pipeline-changes.csv", mime="text/csv",
                           icon=":material/download:", on_click="ignore")

with record:
    weeks = {w: f"week {w}" + (" (last week)" if w == 13 else "") for w in range(1, 14)}
    widgets.warn_unknown_link_value("cutoff_week", list(weeks.values()), "Cut-off week")
    week = st.selectbox("Judge the calls made by the end of", list(weeks),
                        index=context.settings.forecast_cutoff_week - 1, key="cutoff_week",
                        bind="query-params", format_func=weeks.get,
                        help="The default is the setting forecast_cutoff_week.")
    track = cache.view("forecast_track_record", context.store_path, context.filters,
                    context.today, cutoff_week=week)
    widgets.notes(track.notes)
    widgets.metric_row(track, [("commit_accuracy_mean", None), ("model_accuracy_mean", None),
                          ("commit_bias_mean", None), ("model_bias_mean", None)], currency)
    by_quarter = track.tables["accuracy_by_quarter"]
    widgets.chart(charts.forecast_accuracy(by_quarter, week))
    st.dataframe(by_quarter, hide_index=True, column_config=columns, column_order=[
        "quarter", "cutoff", "revenue_target", "submitters", *forecast.JUDGED_COLUMNS])
    st.subheader("By rep, team and region")
    quarters = by_quarter["quarter"].tolist()[::-1]
    left, right = st.columns(2)
    level = left.segmented_control("Breakdown", ["Rep", "Team", "Region"], default="Rep",
                                   key="track_level")
    chosen = right.selectbox("Quarter", quarters, key="track_quarter")
    level = (level or "Rep").lower()
    table = track.tables[f"accuracy_by_{level}"]
    st.dataframe(table[table["quarter"] == chosen], hide_index=True, column_config=columns,
                 column_order=[level, *(["reps", "submitted"] if level != "rep" else []),
                               *forecast.JUDGED_COLUMNS])

for tab in submit:
    with tab:
        st.caption("A rep calls their own quarter; a manager's call is their team's. Each "
                   "submission is kept with its time and who made it, and counts at once.")
        forecast.submission_form(context)
