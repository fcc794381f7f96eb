"""Joint goals: progress and pace, the review of a closed quarter, edits in the meeting,
the history of each goal and the plan's sign-off."""

import streamlit as st

from relay import charts
from relay import format as fmt
from relay.fiscal import Phase
from relay.identity import Role
from relay.ui import cache, drill, flash, goals, roles, shell, widgets

context = shell.context()
planner = roles.may(Role.PLANNER)
quarter = str(context.filters.quarter)
st.title("Joint goals")
quarter_phase = context.filters.quarter.phase(context.today)
st.caption(widgets.plain(f"{context.filters.describe()} · ") + {
    Phase.CLOSED: "closed quarter: how the goals ended",
    Phase.CURRENT: f"{context.filters.quarter.elapsed_share(context.today):.0%} of the quarter "
                   "gone",
    Phase.FUTURE: "planned quarter: the targets, measured once it starts",
}[quarter_phase])

flash.show_flash()

shell.need_data(context, ("goals",), "the quarter's goals with their actuals, attainment and pace",
                planner_starts_here=True)

view = cache.view("goals", context.store_path, context.filters, context.today)
table = view.tables["goals"]
widgets.notes(view.notes)
closed = quarter_phase is Phase.CLOSED

if table.empty:
    st.page_link("app_pages/planner.py", label="Work the goals out in the Demand planner",
                 icon=":material/account_tree:")
    if planner and context.filters.region is None and context.filters.segment is None:
        st.caption("…or start from last quarter's goals below.")

seen_revision = st.session_state.setdefault(f"goals_seen_revision_{context.filters}",
                                            int(view.value("plan_revision")))

if not (table.empty and view.tables["signoffs"].empty):
    goals.signoff_panel(view.tables["signoffs"], quarter, has_goals=not table.empty,
                        seen_revision=seen_revision, may_sign=planner, closed=closed,
                        changes=view.tables["changed_since_signed"])

if not table.empty:
    if quarter_phase is Phase.FUTURE:
        widgets.metric_row(view, [("goals_total", None), ("goals_hit", None)],
                           context.settings.currency)
    else:
        label = "Goals hit" if closed else "Goals on pace"
        st.metric(label, f"{fmt.count(view.value('goals_hit'))} of {fmt.count(len(table))}",
                  help=view.figures["goals_hit"].definition)
        widgets.chart(charts.goal_attainment(table, view.value("quarter_elapsed"),
                                             quarter_phase))
    st.subheader("Targets")
    if planner and not closed:
        goals.target_editor(context, table, quarter_phase)
    else:
        goals.read_only_targets(table, context.settings.currency, quarter_phase)
        if closed:
            st.caption(f"{quarter} is closed: its goals are kept as they were.")
        else:
            roles.needs_role(Role.PLANNER, "edits goals and signs the plan off")

    drill.goal_actuals(context, table)
    with st.expander("History of a goal"):
        options = dict(zip(table["goal_id"], table["goal"], strict=True))
        chosen = st.selectbox("Goal", list(options), format_func=options.get,
                              key="goals_history_goal")
        widgets.table(goals.history(context.store_path, chosen), goals.HISTORY_COLUMNS)

if planner and not closed:
    goals.add_goal_form(context)
    if table.empty and context.filters.region is None and context.filters.segment is None:
        goals.copy_last_quarter_form(context)
