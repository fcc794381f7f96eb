"""Joint goals: progress and pace, the review of a closed quarter, edits in the meeting,
the history of each goal and the plan's sign-off."""

import streamlit as st

from relay import format as fmt
from relay.identity import Role
from relay.ui import cache, charts, drill, flash, goals, roles, shell, widgets
from relay.views.goals import phase

context = shell.context()
planner = roles.may(Role.PLANNER)
quarter = str(context.filters.quarter)
st.title("Joint goals")
quarter_phase = phase(context.filters, context.today)
st.caption(widgets.plain(f"{context.filters.describe()} · ") + {
    "closed": "closed quarter: how the goals ended",
    "current": f"{context.filters.quarter.elapsed_share(context.today):.0%} of the quarter gone",
    "future": "planned quarter",
}[quarter_phase])

flash.show_flash()

shell.need_data(context, ("goals",), "the quarter's goals with their actuals, attainment and pace",
             planner_starts_here=True)

view = cache.view("goals", context.store_path, context.filters, context.today)
table = view.tables["goals"]
widgets.notes(view.notes)

seen_revision = st.session_state.setdefault(f"goals_seen_revision_{context.filters}",
                                            int(view.value("plan_revision")))
goals.signoff_panel(view.tables["signoffs"], quarter, has_goals=not table.empty,
                    seen_revision=seen_revision, may_sign=planner)

if not table.empty:
    label = "Goals hit" if quarter_phase == "closed" else "Goals on pace"
    st.metric(label, f"{fmt.count(view.value('goals_hit'))} of {fmt.count(len(table))}",
              help=view.figures["goals_hit"].definition)
    if quarter_phase == "future":
        st.caption(f"{quarter} has not started: attainment shows once it does.")
    else:
        widgets.chart(charts.goal_attainment(table, view.value("quarter_elapsed"), quarter_phase))
    st.subheader("Targets")
    if planner:
        goals.target_editor(context, table)
    else:
        goals.read_only_targets(table, context.settings.currency)
        roles.needs_role(Role.PLANNER, "edits goals and signs the plan off")

    drill.goal_actuals(context, table)
    with st.expander("History of a goal"):
        options = dict(zip(table["goal_id"], table["goal"], strict=True))
        chosen = st.selectbox("Goal", list(options), format_func=options.get,
                              key="goals_history_goal")
        st.dataframe(goals.history(context.store_path, chosen), hide_index=True)

if planner:
    goals.add_goal_form(context)
    if table.empty and context.filters.region is None and context.filters.segment is None:
        goals.copy_last_quarter_form(context)
