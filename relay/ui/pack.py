"""The review pack's downloads: the HTML file, and the same printed to PDF by Chromium."""

from __future__ import annotations

import streamlit as st

from relay import pack
from relay.fiscal import Quarter
from relay.ui import opened_store
from relay.views import meeting


def downloads(context, quarter: Quarter | None = None) -> None:
    """Two buttons that make the pack for planning `quarter` (default: the page's) when
    clicked, company-wide as of the dashboard's today."""
    quarter = quarter or context.filters.quarter
    today = context.today
    # Taken here, in the page run: the files are made on another thread when clicked.
    connection = opened_store.connection(context.store_path)

    def made(render) -> bytes:
        cursor = connection.cursor()
        try:
            return render(cursor, quarter, today)
        finally:
            cursor.close()

    row = st.container(horizontal=True)  # side by side, each as wide as its label
    row.download_button(
        f"Download the {quarter} planning pack", lambda: made(pack.pack_bytes),
        file_name=f"relay-pack-{quarter}.html", mime="text/html", on_click="ignore",
        icon=":material/download:", key=f"pack_html_{quarter}",
        help=f"One HTML file that opens with no network: the review of "
             f"{meeting.closed_before(quarter, today)}, the {quarter} goals and signatures, the "
             "demand waterfall, the campaign plan and the forecast.")
    printable = pack.CHROMIUM.exists()
    row.download_button(
        "The same as a PDF", lambda: made(pack.pack_pdf), file_name=f"relay-pack-{quarter}.pdf",
        mime="application/pdf", on_click="ignore", icon=":material/picture_as_pdf:",
        key=f"pack_pdf_{quarter}", disabled=not printable,
        help="The same pack printed by Chromium; takes a few seconds." if printable
        else f"No Chromium at {pack.CHROMIUM} to print with: install it, or set "
             "RELAY_CHROMIUM to its path. The HTML pack prints from any browser.")
