"""The forecast page's interactive parts: the roll-up tables and submitting a call."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from relay import charts, forecasting, identity
from relay import format as fmt
from relay.fiscal import Phase
from relay.identity import Role
from relay.ui import cache, flash, opened_store, roles, shell, widgets
from relay.views.common import View


def call_columns(currency: str) -> dict:
    money = widgets.money_column
    count = widgets.count_column
    percent = widgets.percent_column
    no_call = "A dash: no call was submitted by the cut-off."
    return {
        "rep": "Rep", "team": "Team", "region": "Region",
        "reps": count("Reps"),
        "submitted": count("Submitted"),
        "commit": money("Commit", currency, help=no_call),
        "best_case": money("Best case", currency, help=no_call),
        "submitted_at": st.column_config.DatetimeColumn("Last call", format="D MMM YYYY, HH:mm",
                                                        help=no_call),
        "closed_won": money("Closed-won", currency),
        "open_pipeline": money("Open pipeline", currency),
        "model_forecast": money("Model forecast", currency,
                                help="A dash: the model had no basis for a call there (see "
                                     "the note on the model)."),
        "manager_commit": money("Manager's commit", currency,
                                help="A dash: the manager made no call of their own."),
        "manager_best_case": money("Manager's best case", currency,
                                   help="A dash: the manager made no call of their own."),
        "actual": money("Actual", currency),
        "called_actual": money("Won by reps who called", currency, help=no_call),
        "quarter": "Quarter",
        "cutoff": st.column_config.DateColumn("Calls made by", format="D MMM YYYY"),
        "revenue_target": money("Target", currency, help="A dash: no revenue goal was set."),
        "submitters": count("Reps who called"),
        "commit_accuracy": percent("Reps' accuracy", help="1 − |commit − actual| ÷ actual. A "
                                   "dash: no call, or nothing won to judge it on."),
        "commit_bias": percent("Reps' bias", help="(commit − actual) ÷ actual: above zero the "
                               "call was too high."),
        "commit_error": st.column_config.TextColumn("Reps' call against the result"),
        "model_accuracy": percent("Model's accuracy", help="1 − |model − actual| ÷ actual. A "
                                  "dash: the model is not judged there (see its note), or "
                                  "nothing was won."),
        "model_bias": percent("Model's bias", help="(model − actual) ÷ actual: above zero the "
                              "call was too high."),
        "model_error": st.column_config.TextColumn("Model's call against the result"),
        "model_note": st.column_config.TextColumn(
            "Model not judged", help="Why the model's call of that quarter is left out of its "
                                     "means: no basis to learn from, or hindsight."),
    }


def against_target(view: View, key: str, currency: str) -> str | None:
    """Which side of the target a figure lands, in words: "$980K above target"; None when
    either is not known."""
    target, value = view.value("revenue_target"), view.value(key)
    if target is None or value is None:
        return None
    return fmt.against(target - value, "currency", "above target", "short of target",
                       "exactly on target", currency)


def joined(*parts: str | None) -> str | None:
    """Notes under a figure, leaving out those there is no number for."""
    shown = [part for part in parts if part]
    return " · ".join(shown) or None


def reps_called(view: View) -> str | None:
    called = view.value("submitters")
    if not called:
        return None
    of = view.figures.get("reps_in_scope")
    if of is not None and of.known:
        return f"{fmt.count(called)} of {fmt.count(of.value)} reps called"
    return f"{fmt.count(called)} rep{'' if called == 1 else 's'} called"


def headline(view: View, currency: str) -> dict[str, list[tuple[str, str | None]]]:
    """The quarter's figures as its phase allows, in rows under their headings: a closed
    quarter's result and past-due deals; the current quarter's standing and forecast; a
    future quarter's plan (its calls only once someone has made one)."""
    quarter = view.filters.quarter
    phase = quarter.phase(view.as_of)
    value = view.value
    calls = [("commit", joined(reps_called(view), against_target(view, "commit", currency))),
             ("best_case", None)]
    if phase is Phase.CLOSED:
        hit = value("attainment")
        past_due = value("past_due_deals")
        return {
            f"How {quarter} ended": [
                ("revenue_target", None),
                ("closed_won", against_target(view, "closed_won", currency)),
                ("attainment", None if hit is None else "hit" if hit >= 1 else "missed"),
                ("past_due_pipeline", None if past_due is None
                 else f"{fmt.count(past_due)} deals due in {quarter} still open" if past_due
                 else f"every deal due in {quarter} closed"),
            ],
            "The calls the reps made": [(key, joined(reps_called(view))) if key == "commit"
                                        else (key, note) for key, note in calls],
        }
    target = fmt.money(value("revenue_target"), currency)
    open_pipeline = value("open_pipeline")
    # Before the quarter starts, no call is short of (or above) a target: it is the plan.
    started = phase is Phase.CURRENT
    calls = [(key, note if started or key != "commit" else joined(reps_called(view)))
             for key, note in calls]
    forecast = [("model_forecast", against_target(view, "model_forecast", currency)
                 if started else None),
                ("weighted_pipeline", None if open_pipeline is None
                 else f"of {fmt.money(open_pipeline, currency)} open")]
    if phase is Phase.FUTURE:
        return {
            f"The plan for {quarter}": [
                ("revenue_target", None),
                ("open_pipeline", f"already due in {quarter}"),
                ("pipeline_coverage", None if value("revenue_target") is None
                 else f"of the {target} target"),
            ],
            "The forecast": (calls if value("submitters") else []) + forecast,
        }
    elapsed = value("quarter_elapsed")
    remaining = value("remaining_target")
    return {
        "Where we stand": [
            ("revenue_target", None),
            ("closed_won", None),
            ("attainment", None if elapsed is None
             else f"{fmt.percent(elapsed)} of the quarter gone"),
            ("remaining_target", None),
            ("open_pipeline", None),
        ],
        "The forecast": [*calls, *forecast, (
            "pipeline_coverage", None if remaining is None
            else f"of {fmt.money(remaining, currency)} still to close")],
    }


def calls_chart(view: View, currency: str):
    """The chart of where the quarter lands by each call (for a closed quarter, where it
    landed against the calls made), or None when there is no bar to draw."""
    value = view.value
    closed = view.filters.quarter.phase(view.as_of) is Phase.CLOSED
    calls = [("Closed-won" if closed else "Closed-won so far", value("closed_won"))]
    if value("submitters"):
        calls += [("Commit (reps)", value("commit")), ("Best case (reps)", value("best_case"))]
    calls.append(("Model forecast", value("model_forecast")))
    calls = [(label, amount) for label, amount in calls if amount is not None]
    if not calls:
        return None
    title = ("Where the quarter landed, against the calls made" if closed
             else "Where the quarter lands, by each call")
    return charts.forecast_against_target(calls, value("revenue_target"), currency, title)


def weighting_table(weights: pd.DataFrame, currency: str) -> None:
    """How the model weighs the open pipeline: each category's rate and what it rests on."""
    no_rate = ("A dash: the look-back quarters held no such open deals, so there is no rate "
               "and this pipeline is left out of the weighted pipeline.")
    widgets.table(weights, column_config={
        "forecast_category": "Forecast category",
        "deals": widgets.count_column("Open deals"),
        "amount": widgets.money_column("Open amount", currency),
        "rate": widgets.percent_column("Won in its quarter", help=no_rate),
        "weighted_amount": widgets.money_column("Weighted", currency, help=no_rate),
        "basis_deals": widgets.count_column("History: open deals"),
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
# What a phase has no use for in the roll-ups: a closed quarter has no open pipeline or
# forecast (its result is the closed-won), a future one nothing closed yet.
NOT_IN_PHASE = {Phase.CLOSED: {"open_pipeline", "model_forecast"},
                Phase.CURRENT: set(), Phase.FUTURE: {"closed_won"}}


def rollup_columns(level: str, phase: Phase) -> list[str]:
    return [column for column in ROLLUP_COLUMNS[level] if column not in NOT_IN_PHASE[phase]]


JUDGED_COLUMNS = ["commit", "best_case", "called_actual", "commit_accuracy", "commit_bias",
                  "commit_error", "model_forecast", "actual", "model_accuracy", "model_bias",
                  "model_error"]


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


def _bias_in_words(bias: float) -> str:
    return fmt.in_words(bias, "percent", "too high", "too low", "spot on")


# Signed figures of the forecast page said in words (widgets.metric_row's `words`).
BIAS_IN_WORDS = {"commit_bias_mean": _bias_in_words, "model_bias_mean": _bias_in_words}


def movement_in_words(currency: str) -> dict:
    return {"pipeline_net_change": lambda change: fmt.in_words(
        change, "currency", "more than at the start", "less than at the start",
        currency=currency)}
