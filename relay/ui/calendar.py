"""The calendar page's controls (all kept in the URL), downloads and campaign forms."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from relay import campaigns
from relay import format as fmt
from relay.ui import cache, flash, opened_store, shell, widgets
from relay.views import calendar


@cache.read_again_after_writes()
def choices(store_path: str) -> tuple[list[str], dict[str, str]]:
    """(channels, {person_id: name}) for the filters and forms."""
    with opened_store.cursor(store_path) as cursor:
        known = calendar.choices(cursor)
    return known["channels"], known["owners"]


def controls(context: shell.Context) -> calendar.CalendarFilters:
    """Range preset, dates, channel, status and owner: read from and written to the URL."""
    channels, owners = choices(context.store_path)
    # Bound widgets keep their shown labels in the URL ("range=Next+90+days", owner names).
    presets = {label: key for key, label in calendar.PRESETS.items()}
    widgets.warn_unknown_link_value("range", list(presets), "Range")
    widgets.warn_unknown_link_value("channel", channels, "Channel")
    widgets.warn_unknown_link_value("status", list(campaigns.STATUSES), "Status")
    widgets.warn_unknown_link_value("owner", list(owners.values()), "Owner")
    today = context.today
    # Read before the date fields are drawn: drawing them drops a bad date from the address.
    bad_dates = {label: widgets.bad_link_dates(key, calendar.EARLIEST, calendar.LATEST)
                 for key, label in (("from", "From"), ("to", "To"))}
    notice = st.empty()
    left, middle, right = st.columns([2, 3, 3])
    preset = presets[left.selectbox("Range", list(presets), key="range", bind="query-params")]
    first = last = None
    if preset == "custom":
        first = left.date_input("From", value=today, key="from", bind="query-params",
                                format="YYYY-MM-DD", min_value=calendar.EARLIEST,
                                max_value=calendar.LATEST)
        last = left.date_input("To", value=today + dt.timedelta(days=29), key="to",
                               bind="query-params", format="YYYY-MM-DD",
                               min_value=calendar.EARLIEST, max_value=calendar.LATEST)
    else:
        bad_dates = {}  # a preset range does not read the dates
    chosen_channels = middle.multiselect("Channel", channels, key="channel",
                                         bind="query-params", placeholder="All channels")
    chosen_statuses = middle.multiselect("Status", list(campaigns.STATUSES), key="status",
                                         bind="query-params", placeholder="All statuses")
    chosen_owners = right.multiselect("Owner", list(owners), format_func=owners.get,
                                      key="owner", bind="query-params",
                                      placeholder="All owners")
    replaced = {label: (values, {"From": first, "To": last}[label])
                for label, values in bad_dates.items() if values}
    try:
        starts_on, ends_on = calendar.date_range(
            preset, today, context.settings.fiscal_year_start_month, first, last)
    except calendar.RangeError as error:
        _warn_replaced(notice, replaced, None)
        st.error(widgets.plain(error), icon=":material/date_range:")
        st.stop()
    _warn_replaced(notice, replaced, (starts_on, ends_on))
    return calendar.CalendarFilters(
        starts_on, ends_on, context.filters.region, context.filters.segment,
        tuple(chosen_channels), tuple(chosen_statuses), tuple(chosen_owners), preset,
    )


def _warn_replaced(notice, replaced: dict[str, tuple[list[str], dt.date]],
                   used: tuple[dt.date, dt.date] | None) -> None:
    """Which dates of the address were not used, what stood in for them and the range that
    is shown instead."""
    if not replaced:
        return
    lines = [widgets.bad_link_date_message(label, values, f"{day:%d %b %Y} is used instead")
             for label, (values, day) in replaced.items()]
    if used is not None:
        lines.append(widgets.plain(f"Showing {used[0]:%d %b %Y} – {used[1]:%d %b %Y}."))
    notice.warning("  \n".join(lines), icon=":material/link_off:")


def view_url(context: shell.Context, chosen: calendar.CalendarFilters) -> str:
    """A link back to exactly this view of the calendar (dates spelled out, so the link
    shows the same campaigns next week too)."""
    return calendar.view_link(shell.base_url(context), chosen,
                              choices(context.store_path)[1])


def detail(table: pd.DataFrame, currency: str) -> None:
    names = dict(zip(table["campaign_id"], table["name"], strict=True))
    chosen = st.selectbox("Campaign", list(names), format_func=names.get, key="calendar_detail")
    info = calendar.campaign_detail(table, chosen)
    plan, actuals = info["plan"], info["actuals"]
    st.markdown(f"**{plan['dates']}**")
    columns = st.columns(3)
    columns[0].metric("Budget", fmt.money(plan["budget"], currency))
    columns[1].metric("Expected leads", fmt.count(plan["expected_leads"]))
    if info["started"]:
        columns = st.columns(5)
        no_links = "No lead is linked to a campaign: import leads with a campaign ID column."
        columns[0].metric("Leads so far", fmt.count(actuals["leads"]),
                          help=no_links if actuals["leads"] is None else None)
        columns[1].metric("MQLs so far", fmt.count(actuals["mqls"]))
        columns[2].metric("SQLs so far", fmt.count(actuals["sqls"]))
        # The whole campaign, so far and in every region: Campaign performance shows the
        # quarter's share of the cost over the quarter's leads.
        no_cost = "No cost recorded for this campaign." if actuals["cost"] is None else None
        columns[3].metric("Cost so far (whole campaign)", fmt.money(actuals["cost"], currency),
                          help=no_cost)
        columns[4].metric("Cost per lead so far (whole campaign)",
                          fmt.money(actuals["cost_per_lead"], currency),
                          help=no_cost or ("No leads yet." if not actuals["leads"] else None))
    else:
        st.caption("Actuals show once the campaign is live.")
    row = table.set_index("campaign_id").loc[chosen]
    if pd.notna(row["description"]):
        st.text(row["description"])


def campaign_form(context: shell.Context, existing: pd.Series | None = None) -> None:
    """Add a campaign, or edit `existing` (saved only if nobody changed it meanwhile)."""
    channels, owners = choices(context.store_path)
    options = shell.filter_options(context)
    key = "calendar_edit" if existing is not None else "calendar_add"

    def value(column, default=None):
        """The campaign's stored value for a field, or the default for a new one."""
        missing = existing is None or pd.isna(existing[column])
        return default if missing else existing[column]

    with st.form(key, border=False):
        name = st.text_input("Name", value=value("name", ""), max_chars=campaigns.MAX_NAME)
        left, right = st.columns(2)
        channel = left.selectbox("Channel", channels, index=_index(channels, value("channel")))
        status = right.selectbox("Status", campaigns.STATUSES,
                                 index=_index(campaigns.STATUSES, value("status", "planned")))
        regions = ["", *sorted({*options.regions, value("region", "")} - {""})]
        segments = ["", *sorted({*options.segments, value("segment", "")} - {""})]
        region = left.selectbox("Region", regions, index=_index(regions, value("region", "")),
                                format_func=lambda r: r or "All regions")
        segment = right.selectbox("Segment", segments,
                                  index=_index(segments, value("segment", "")),
                                  format_func=lambda s: s or "All segments")
        start = left.date_input("Start", value=_date(value("start_date"), context.today))
        end = right.date_input("End", value=_date(value("end_date"), context.today))
        budget = left.text_input("Budget", value=_text(value("budget")))
        expected = right.text_input("Expected leads", value=_text(value("expected_leads")))
        cost = left.text_input("Actual cost so far", value=_text(value("actual_cost")))
        owner_ids = ["", *owners]
        owner = right.selectbox("Owner", owner_ids, index=_index(owner_ids, value("owner_id", "")),
                                format_func=lambda p: owners.get(p, "No owner"))
        description = st.text_area("Description", value=value("description", ""))
        label = "Save changes" if existing is not None else "Add campaign"
        if not st.form_submit_button(label, type="primary"):
            return
    fields = {"name": name, "channel": channel, "status": status, "region": region,
              "segment": segment, "start_date": start, "end_date": end, "budget": budget,
              "expected_leads": expected, "actual_cost": cost, "owner_id": owner,
              "description": description}
    connection = opened_store.connection(context.store_path)
    try:
        if existing is None:
            campaigns.create(connection, fields)
        elif not campaigns.update(connection, existing["campaign_id"],
                                  int(existing["version"]), fields):
            st.info("Nothing changed, so nothing was saved.", icon=":material/info:")
            return
    except (campaigns.CampaignError, campaigns.CampaignConflict) as error:
        st.error(widgets.plain(error), icon=":material/error:")
        return
    flash.saved(f"Saved the campaign {name!r}.")


def _index(options, value) -> int:
    options = list(options)
    return options.index(value) if value in options else 0


def _date(value, default: dt.date) -> dt.date:
    return value.date() if isinstance(value, pd.Timestamp) else (value or default)


def _text(value) -> str:
    """A stored amount as the form shows it: every digit kept, so saving an untouched form
    stores the same value."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:f}".rstrip("0").rstrip(".")
    return str(value)
