"""Joint goals: progress and pace, the review of a closed quarter, edits in the meeting,
the history of each goal and the plan's sign-off."""

import streamlit as st

from relay import charts, format as fmt, goals_ui, ui
from relay.identity import Role
from relay.views.goals import phase

context = ui.context()
planner = ui.may(Role.PLANNER)
quarter = str(context.filters.quarter)
st.title("Joint goals")
quarter_phase = phase(context.filters, context.today)
st.caption(ui.plain(f"{context.filters.describe()} · ") + {
    "closed": "closed quarter: how the goals ended",
    "current": f"{context.filters.quarter.elapsed_share(context.today):.0%} of the quarter gone",
    "future": "planned quarter",
}[quarter_phase])

ui.show_flash()

ui.need_data(context, ("goals",), "the quarter's goals with their actuals, attainment and pace",
             planner_starts_here=True)

view = ui.view("goals", context.store_path, context.filters, context.today)
table = view.tables["goals"]
ui.notes(view.notes)

seen_revision = st.session_state.setdefault(f"goals_seen_revision_{context.filters}",
                                            int(view.value("plan_revision")))
goals_ui.signoff_panel(view.tables["signoffs"], quarter, has_goals=not table.empty,
                       seen_revision=seen_revision, may_sign=planner)

if not table.empty:
    label = "Goals hit" if quarter_phase == "closed" else "Goals on pace"
    st.metric(label, f"{fmt.count(view.value('goals_hit'))} of {fmt.count(len(table))}",
              help=view.figures["goals_hit"].definition)
    if quarter_phase == "future":
        st.caption(f"{quarter} has not started: attainment shows once it does.")
    else:
        ui.chart(charts.goal_attainment(table, view.value("quarter_elapsed"), quarter_phase))
    st.subheader("Targets")
    if planner:
        goals_ui.target_editor(context, table)
    else:
        goals_ui.read_only_targets(table, context.settings.currency)
        ui.needs_role(Role.PLANNER, "edits goals and signs the plan off")

    with st.expander("History of a goal"):
        options = dict(zip(table["goal_id"], table["goal"], strict=True))
        chosen = st.selectbox("Goal", list(options), format_func=options.get,
                              key="goals_history_goal")
        st.dataframe(goals_ui.history(context.store_path, chosen), hide_index=True)

if planner:
    goals_ui.add_goal_form(context)
    if table.empty and context.filters.region is None and context.filters.segment is None:
        goals_ui.copy_last_quarter_form(context)
