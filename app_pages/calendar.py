"""Campaign calendar: what marketing runs and when, the lead wave to staff for, collisions,
and a calendar file to take along."""

import streamlit as st

from relay import charts, ics
from relay.identity import Role
from relay.ui import cache, calendar, drill, flash, roles, shell, widgets

context = shell.context()
currency = context.settings.currency
st.title("Campaign calendar")
flash.show_flash()

shell.need_data(context, ("campaigns",), "when campaigns run, the leads they bring and where "
             "they overlap", planner_starts_here=True)

chosen = calendar.controls(context)
st.caption(widgets.plain(f"{chosen.describe()} · the quarter filter does not apply here; "
                    "region and segment from the sidebar do"))

view = cache.view("calendar", context.store_path, chosen, context.today,
                  pairs_listed=widgets.MAX_ROWS)
table = view.tables["campaigns"]
widgets.notes(view.notes)

widgets.metric_row(view, [("campaigns_in_view", None), ("live_now", None),
                          ("starting_in_range", None), ("expected_leads_in_range", None),
                          ("leads_arrived_in_range", None), ("overlapping_pairs", None)], currency)
drill.under_cards(context, view, ["campaigns_in_view", "live_now", "starting_in_range",
                                  "expected_leads_in_range", "leads_arrived_in_range", None],
                  drill.range_scope(context, chosen))

if not table.empty:
    if len(table) > widgets.MAX_TIMELINE:
        st.caption(f"The timeline shows the first {widgets.MAX_TIMELINE} of {len(table):,} "
                   "campaigns by start date; narrow the filters to see the others there. The "
                   "agenda and the downloads have them all.")
    widgets.chart(charts.campaign_timeline(table.head(widgets.MAX_TIMELINE), context.today,
                                      chosen.starts_on, chosen.ends_on))
    widgets.chart(charts.lead_flow(view.tables["lead_flow"]))

    st.subheader("Agenda")
    widgets.table(table.head(widgets.MAX_ROWS), column_order=[
        "name", "start_date", "end_date", "status", "channel", "region", "segment",
        "owner_name", "owner_email", "expected_leads", "leads_so_far", "budget",
        "overlaps", "description",
    ], column_config={
        "name": st.column_config.TextColumn("Campaign", width="large"),
        "start_date": st.column_config.DateColumn("Starts", format="D MMM YYYY"),
        "end_date": st.column_config.DateColumn("Ends", format="D MMM YYYY"),
        "status": "Status", "channel": "Channel",
        "region": st.column_config.TextColumn("Region", help="A dash: all regions"),
        "segment": st.column_config.TextColumn("Segment", help="A dash: all segments"),
        "owner_name": st.column_config.TextColumn("Owner", help="A dash: no owner"),
        "owner_email": "Contact",
        "expected_leads": widgets.count_column("Expected leads", "A dash: none planned"),
        "leads_so_far": widgets.count_column(
            "Leads so far (whole campaign)",
            "A dash: no lead is linked to a campaign in this store"),
        "budget": widgets.money_column("Budget", currency, "A dash: no budget set"),
        "overlaps": widgets.count_column(
            "Overlaps", "Campaigns for the same region and segment at the same time: "
                        "listed under Overlapping campaigns"),
        "description": st.column_config.TextColumn("Description", width="large"),
    })
    link = calendar.view_url(context, chosen)
    left, right = st.columns(2)
    # Files are made when clicked, not on every run: at scale the view holds thousands.
    # A download does not rerun the page (on_click="ignore"): nothing on it changes.
    left.download_button(
        "Add these campaigns to my calendar (.ics)",
        lambda: ics.calendar_file(table, link, currency, context.settings.store_id),
        file_name="revenue-relay-campaigns.ics", mime="text/calendar",
        icon=":material/calendar_add_on:", on_click="ignore",
        help="One all-day event per campaign; importing a newer file updates the events.",
    )
    right.download_button(
        "Download the agenda (CSV)", lambda: widgets.csv_bytes(table),
        file_name="campaign-agenda.csv", mime="text/csv", icon=":material/download:",
        on_click="ignore",
    )

    overlaps = view.tables["overlaps"]  # the first MAX_ROWS pairs by date
    pairs = int(view.value("overlapping_pairs"))
    if pairs:
        with st.expander(f"Overlapping campaigns ({pairs:,} pairs)"):
            if pairs > widgets.MAX_ROWS:
                st.caption(f"The first {widgets.MAX_ROWS:,} by date; narrow the filters for the "
                           "rest, or take them all with `relay report calendar`.")
            widgets.table(overlaps.head(widgets.MAX_ROWS), column_order=[
                "name_a", "name_b", "region", "segment", "overlap_from", "overlap_to"],
                column_config={"name_a": "Campaign", "name_b": "Overlaps with",
                               "region": st.column_config.TextColumn(
                                   "Region", help="A dash: all regions"),
                               "segment": st.column_config.TextColumn(
                                   "Segment", help="A dash: all segments"),
                               "overlap_from": st.column_config.DateColumn(
                                   "From", format="D MMM YYYY"),
                               "overlap_to": st.column_config.DateColumn(
                                   "To", format="D MMM YYYY")})

    st.subheader("Campaign detail")
    calendar.detail(table, currency)

st.subheader("Plan campaigns")
if not roles.may(Role.PLANNER):
    roles.needs_role(Role.PLANNER, "adds and changes campaigns")
else:
    with st.expander("Add a campaign"):
        calendar.campaign_form(context)
    if not table.empty:
        with st.expander("Edit a campaign"):
            names = dict(zip(table["campaign_id"], table["name"], strict=True))
            editing = st.selectbox("Campaign to edit", list(names), format_func=names.get,
                                   key="calendar_edit_choice")
            calendar.campaign_form(
                context, table.set_index("campaign_id", drop=False).loc[editing])
