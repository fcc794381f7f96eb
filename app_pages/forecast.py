"""Forecast versus actual: will we make the number, how the call moved, and how good past
calls were."""

import streamlit as st

from relay import charts
from relay.fiscal import Phase
from relay.identity import Role
from relay.ui import cache, drill, flash, forecast, roles, shell, widgets

context = shell.context()
currency = context.settings.currency
st.title("Forecast")
st.caption(widgets.plain(f"{context.filters.describe()} · as of {context.today:%d %b %Y}"))
flash.show_flash()

shell.need_data(context, ("deals",), "closed-won revenue, the pipeline and the forecast")

phase = context.filters.quarter.phase(context.today)
columns = forecast.call_columns(currency)
may_submit = roles.may(Role.REP)
# Only the open tab is computed (a cold track record costs seconds): choosing another
# reruns the page, and the address keeps the tab (?tab=Track+record).
this_quarter, moved, record, *submit = st.tabs(
    ["This quarter", "How the call moved", "Track record"]
    + (["Submit a forecast"] if may_submit else []),
    key="tab", on_change="rerun", bind="query-params")

with this_quarter:
    if this_quarter.open:
        view = cache.view("forecast", context.store_path, context.filters, context.today)
        widgets.notes(view.notes)
        for heading, row in forecast.headline(view, currency).items():
            st.subheader(heading)
            widgets.metric_row(view, row, currency)
            drill.under_cards(context, view, [key for key, _ in row])
        calls = forecast.calls_chart(view, currency)
        if calls is not None:
            widgets.chart(calls)

        st.subheader("The calls by rep, team and region")
        for tab, level in zip(st.tabs(["Rep", "Team", "Region"]), ("rep", "team", "region"),
                              strict=True):
            with tab:
                drill.table(context, view.tables[f"by_{level}"], columns, f"forecast_by_{level}",
                            drill.rollup_row(level, phase is Phase.CLOSED),
                            column_order=forecast.rollup_columns(level, phase))
        st.caption("A manager's own call is shown beside the team's but not added to it: it is a "
                   "call on the same deals.")
        if phase is not Phase.CLOSED:
            with st.expander("How the model weighs the open pipeline"):
                forecast.weighting_table(view.tables["weighted_pipeline"], currency)

with moved:
    if moved.open:
        view = cache.view("forecast", context.store_path, context.filters, context.today)
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
        changes = cache.view("forecast_movement", context.store_path, context.filters,
                             context.today, changes_from=changes_from, changes_to=changes_to)
        for problem in changes.problems:
            st.error(widgets.plain(problem), icon=":material/date_range:")
        if not changes.problems:
            widgets.notes(changes.notes)
            widgets.metric_row(changes, [("pipeline_at_start", None), ("pipeline_at_end", None),
                                         ("pipeline_net_change", None), ("won_between", None)],
                               currency, words=forecast.movement_in_words(currency))
            summary = changes.tables["changes"]
            widgets.chart(charts.pipeline_movement(summary, changes.value("pipeline_at_start"),
                                                   changes.value("pipeline_at_end"), currency))
            widgets.table(summary, column_order=[
                "label", "deals", "pipeline_change", "amount_at_end"], column_config={
                "label": "Movement", "deals": widgets.count_column("Deals"),
                "pipeline_change": widgets.money_column("Change to the pipeline", currency),
                "amount_at_end": widgets.money_column("Amount at the end", currency)})
            deals = changes.tables["changed_deals"]
            listed = min(len(deals), widgets.MAX_ROWS)
            st.caption(f"{len(deals):,} deals moved; the {listed:,} with the largest change "
                       "are listed (the download has them all).")
            widgets.table(deals.head(widgets.MAX_ROWS), column_config={
                "movement": None, "label": "Movement", "deal_id": "Deal", "account": "Account",
                "owner": "Owner", "region": "Region", "segment": "Segment",
                "amount_from": widgets.money_column("Amount at the start", currency),
                "amount_to": widgets.money_column("Amount at the end", currency),
                "close_from": st.column_config.DateColumn("Close date then", format="D MMM YYYY"),
                "close_to": st.column_config.DateColumn("Close date now", format="D MMM YYYY"),
                "pipeline_change": widgets.money_column("Change", currency)})
            st.download_button("Download the changed deals (CSV)", lambda: widgets.csv_bytes(deals),
                               file_name="pipeline-changes.csv", mime="text/csv",
                               icon=":material/download:", on_click="ignore")

with record:
    if record.open:
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
                                   ("commit_bias_mean", None), ("model_bias_mean", None)],
                           currency, words=forecast.BIAS_IN_WORDS)
        by_quarter = track.tables["accuracy_by_quarter"]
        widgets.chart(charts.forecast_accuracy(by_quarter, week))
        widgets.table(by_quarter, columns, column_order=[
            "quarter", "cutoff", "revenue_target", "submitters", *forecast.JUDGED_COLUMNS,
            "model_note"])
        st.subheader("By rep, team and region")
        quarters = by_quarter["quarter"].tolist()[::-1]
        left, right = st.columns(2)
        level = left.segmented_control("Breakdown", ["Rep", "Team", "Region"], default="Rep",
                                       key="track_level")
        chosen = right.selectbox("Quarter", quarters, key="track_quarter")
        level = (level or "Rep").lower()
        table = track.tables[f"accuracy_by_{level}"]
        widgets.table(table[table["quarter"] == chosen], columns,
                      column_order=[level, *(["reps", "submitted"] if level != "rep" else []),
                                    *forecast.JUDGED_COLUMNS])

for tab in submit:
    if tab.open:
        with tab:
            st.caption("A rep calls their own quarter; a manager's call is their team's. Each "
                       "submission is kept with its time and who made it, and counts at once.")
            forecast.submission_form(context)
