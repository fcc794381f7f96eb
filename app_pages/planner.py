"""The demand-waterfall planner: from the revenue target back to the MQLs it takes."""

import streamlit as st

from relay import charts, goals
from relay import format as fmt
from relay.identity import Role
from relay.ui import cache, flash, opened_store, roles, shell, widgets
from relay.views import plan

context = shell.context()
currency = context.settings.currency
quarter = context.filters.quarter
st.title("Demand planner")
st.caption(widgets.plain(f"{context.filters.describe()} · pick the quarter to plan in the sidebar"))
flash.show_flash()

shell.need_data(context, ("deals", "leads"), "the deals, pipeline and leads a revenue target "
             "takes, measured on your own history", planner_starts_here=True)

overrides_key = f"planner_overrides_{context.filters}"
overrides = st.session_state.setdefault(overrides_key, {})

revenue_target = st.number_input(
    f"Revenue target for {quarter} (whole {currency})", min_value=0.0, step=100_000.0,
    format="%.0f", value=None, placeholder="the stored revenue goal",
    key=f"planner_target_{context.filters}",
    help="Leave empty to plan from the stored revenue goal of this quarter and breakdown.",
)
view = cache.view("plan", context.store_path, context.filters, context.today,
                  revenue_target=revenue_target, overrides=overrides)
value = view.value

st.subheader("Assumptions")
st.caption("Measured on your own history; change a value in the *Used* column for a what-if.")
assumptions = view.tables["assumptions"]
edited = st.data_editor(
    assumptions, hide_index=True, key=f"planner_assumptions_{context.filters}_{len(overrides)}",
    disabled=[c for c in assumptions.columns if c != "used"],
    # "Used" beside the name: on a phone the columns after the second are off-screen.
    column_order=["label", "used", "measured_shown", "cohort", "measured_on"],
    placeholder=fmt.MISSING,
    column_config={
        "label": "Assumption",
        "measured_shown": st.column_config.TextColumn(
            "Measured", help="A dash: there is nothing to measure it on (the scope column "
            "says why)"),
        "used": st.column_config.NumberColumn(
            "Used", format="%.4g", help="Rates as shares (0.3 = 30%); a dash: unknown, and "
            "the stages that hang on it are not planned"),
        "cohort": widgets.count_column("Measured on (deals / leads)"),
        "measured_on": "Scope and window",
    },
)
changed = plan.overrides_from(edited)
if changed != overrides:
    st.session_state[overrides_key] = changed
    st.rerun()
if overrides and st.button("Back to the measured values", key="planner_reset"):
    st.session_state[overrides_key] = {}
    st.rerun()
for problem in view.problems:
    st.warning(widgets.plain(problem), icon=":material/edit_note:")
if view.problems:
    st.stop()
widgets.notes(view.notes)

st.subheader(f"What {fmt.money(value('revenue_target'), currency)} takes")
widgets.metric_row(view, [("pipeline_needed", None), ("deals_won_needed", None),
                          ("opportunities_needed", None), ("lead_opportunities_needed", None)],
                   currency)
widgets.metric_row(view, [
    ("sqls_needed", None),
    ("sals_needed", None),
    ("mqls_needed", None),
    ("campaign_mqls", f"from {fmt.count(value('campaign_expected_leads'))} expected leads"
     if view.figures["campaign_expected_leads"].known else None),
], currency)
other = view.figures["other_mqls"]
widgets.metric_in_words(
    view, "mql_gap",
    lambda gap: fmt.against(gap, "count", "more MQLs than needed", "MQLs short", "just enough"),
    f"after {fmt.count(other.value)} from outside campaigns" if other.known else None,
    where=st.columns(4)[0])
stages = [
    ("MQLs", value("mqls_needed")), ("SALs", value("sals_needed")),
    ("SQLs", value("sqls_needed")),
    ("Opportunities from leads", value("lead_opportunities_needed")),
    ("All opportunities", value("opportunities_needed")), ("Deals won", value("deals_won_needed")),
]
widgets.chart(charts.demand_waterfall([(label, v) for label, v in stages if v is not None]))

st.subheader(f"Save as the {quarter} goals")
targets, versions = plan.targets_and_versions(view)
# Saves are checked against the goals as they were when this plan was first shown, so a
# colleague's change in between is refused rather than overwritten.
seen = st.session_state.setdefault(f"planner_seen_{context.filters}", versions)
widgets.table(view.tables["goals"], column_order=[
    "goal", "planned_shown", "current_shown", "current_version"], column_config={
    "goal": "Goal",
    "planned_shown": st.column_config.TextColumn(
        "Planned target", help="What saving writes: the counts on the cards above"),
    "current_shown": st.column_config.TextColumn("Current goal",
                                                 help="A dash: no such goal is stored yet"),
    "current_version": st.column_config.NumberColumn(
        "Version", format="%d", help="A dash: saving creates the goal"),
})
if not roles.may(Role.PLANNER):
    roles.needs_role(Role.PLANNER, "saves the plan as the quarter's goals")
elif st.button(f"Save the plan as {quarter} goals", type="primary"):
    try:
        changed_goals = goals.save_plan(
            opened_store.connection(context.store_path), str(quarter), context.filters.region,
            context.filters.segment, targets, seen)
    except (goals.GoalConflict, goals.GoalError) as error:
        st.error(widgets.plain(error), icon=":material/sync_problem:")
    else:
        flash.saved(f"Saved the plan as the {quarter} goals for {context.filters.scope()} "
                    f"({changed_goals} changed). Any sign-off of the quarter is now outdated "
                    "until both sides agree again.", reset_prefixes=flash.GOAL_STATE_PREFIXES)
