"""The forecast page's interactive parts: the roll-up tables and submitting a call."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from relay import forecasting, identity
from relay import format as fmt
from relay.identity import Role
from relay.ui import cache, flash, opened_store, roles, shell, widgets


def call_columns(currency: str) -> dict:
    money = widgets.money_column
    return {
        "rep": "Rep", "team": "Team", "region": "Region",
        "reps": st.column_config.NumberColumn("Reps", format="%d"),
        "submitted": st.column_config.NumberColumn("Submitted", format="%d"),
        "commit": money("Commit", currency),
        "best_case": money("Best case", currency),
        "submitted_at": st.column_config.DatetimeColumn("Last call", format="YYYY-MM-DD HH:mm"),
        "closed_won": money("Closed-won", currency),
        "open_pipeline": money("Open pipeline", currency),
        "model_forecast": money("Model forecast", currency),
        "manager_commit": money("Manager's commit", currency),
        "manager_best_case": money("Manager's best case", currency),
        "actual": money("Actual", currency),
        "called_actual": money("Won by reps who called", currency),
        "quarter": "Quarter",
        "cutoff": st.column_config.DateColumn("Calls made by", format="YYYY-MM-DD"),
        "revenue_target": money("Target", currency),
        "submitters": st.column_config.NumberColumn("Reps who called", format="%d"),
        "commit_accuracy": st.column_config.NumberColumn("Reps' accuracy", format="percent"),
        "commit_bias": st.column_config.NumberColumn("Reps' bias", format="percent"),
        "model_accuracy": st.column_config.NumberColumn("Model's accuracy", format="percent"),
        "model_bias": st.column_config.NumberColumn("Model's bias", format="percent"),
    }


def gap_note(gap: float | None) -> str | None:
    """Which side of the target a call is on: a gap below zero means it beats the target."""
    if gap is None:
        return None
    return "short of target" if gap > 0 else "beats target"


def weighting_table(weights: pd.DataFrame, currency: str) -> None:
    """How the model weighs the open pipeline: each category's rate and what it rests on."""
    st.dataframe(weights, hide_index=True, column_config={
        "forecast_category": "Forecast category",
        "deals": st.column_config.NumberColumn("Open deals", format="%d"),
        "amount": widgets.money_column("Open amount", currency),
        "rate": st.column_config.NumberColumn("Won in its quarter", format="percent"),
        "weighted_amount": widgets.money_column("Weighted", currency),
        "basis_deals": st.column_config.NumberColumn("History: open deals", format="%d"),
        "basis_amount": widgets.money_column("History: open amount", currency),
        "won_in_quarter": widgets.money_column("History: won in quarter", currency),
        "rate_from": "Measured on",
    })


ROLLUP_COLUMNS = {
    "rep": ["rep", "team", "region", "commit", "best_case", "submitted_at", "closed_won",
            "open_pipeline", "model_forecast"],
    "team": ["team", "reps", "submitted", "commit", "best_case", "manager_commit",
             "manager_best_case", "closed_won", "open_pipeline", "model_forecast"],
    "region": ["region", "reps", "submitted", "commit", "best_case", "closed_won",
               "open_pipeline", "model_forecast"],
}
JUDGED_COLUMNS = ["commit", "best_case", "called_actual", "commit_accuracy", "commit_bias",
                  "model_forecast", "actual", "model_accuracy", "model_bias"]


def submission_form(context: shell.Context) -> None:
    """Submit a commit and best case for yourself (your team's, as its manager); a planner
    may enter anyone's."""
    people = cache.people(context.store_path)
    people = people[people["is_caller"]]
    if not len(people):
        st.info("Nobody owns a deal yet, so there is no one to call a forecast. Load deals "
                "first.", icon=":material/inbox:")
        return
    mine = [person for person in cache.me(context.store_path) if person in people.index]
    if not roles.may(Role.PLANNER):
        if not mine:
            st.info(widgets.plain(
                f"No one who calls a forecast in the store is you ({identity.acting_user()}), "
                "so there is no forecast here for you to submit: the people table matches you "
                "by email, and an admin can add yours."), icon=":material/person_search:")
            return
        people = people.loc[mine]
    labels = {row.person_id: f"{row.name} (team call)" if row.is_manager else row.name
              for row in people.itertuples()}
    quarters = forecasting.submittable_quarters(context.today,
                                                context.settings.fiscal_year_start_month)
    with st.form("forecast_submission"):
        left, right = st.columns(2)
        # Preselect only the person at the keyboard: a call booked to the wrong rep is worse
        # than one more click.
        person = left.selectbox("Forecast of", list(labels), format_func=labels.get,
                                index=list(labels).index(mine[0]) if mine else None,
                                placeholder="Choose whose forecast this is")
        quarter = right.selectbox("Quarter", quarters, format_func=str,
                                  index=quarters.index(context.filters.quarter)
                                  if context.filters.quarter in quarters else 0)
        commit = left.number_input(f"Commit ({context.settings.currency})", min_value=0.0,
                                   value=None, step=1_000.0, format="%.0f",
                                   help="What you are confident will close this quarter, "
                                        "closed-won so far included.")
        best_case = right.number_input(f"Best case ({context.settings.currency})",
                                       min_value=0.0, value=None, step=1_000.0, format="%.0f",
                                       help="What could close if things go well; at least "
                                            "the commit.")
        sent = st.form_submit_button("Submit the forecast", type="primary")
    if not sent:
        return
    if person is None:
        st.error("Choose whose forecast this is.", icon=":material/error:")
        return
    if commit is None or best_case is None:
        st.error("Enter both the commit and the best case (0 is a call too, if you mean it).",
                 icon=":material/error:")
        return
    try:
        forecasting.submit(opened_store.connection(context.store_path), quarter, person, commit,
                           best_case, context.settings.fiscal_year_start_month)
    except forecasting.ForecastError as error:
        st.error(widgets.plain(error), icon=":material/error:")
        return
    currency = context.settings.currency
    flash.saved(f"Forecast for {quarter} saved for {labels[person]}: commit "
                f"{fmt.money(commit, currency)}, best case {fmt.money(best_case, currency)} "
                "(recorded in the audit log).")
