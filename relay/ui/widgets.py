"""Small drawing helpers the pages share: text shown as typed, tables of amounts, rows of
figures, and the checks of values a page address carries."""

from __future__ import annotations

import datetime as dt
import re

import streamlit as st

from relay import contacts, report
from relay import format as fmt
from relay.views.common import Note, NoteKind, State, View

MAX_ROWS = 2_000  # rows a table on a page shows; exports and the CLI have them all
MAX_TIMELINE = 60  # bars a timeline shows and stays readable on a projector

# Characters that Streamlit's markdown (GitHub flavour plus :colour[] directives, emoji
# short codes and $LaTeX$) would interpret.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~:])")


def plain(text: object) -> str:
    """Text from the data or the user, escaped so that markdown shows it as typed: a name
    like "[click](http://…)" stays text, never a link, an image or a formula."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def warn_unknown_link_value(key: str, known: list[str], label: str) -> None:
    """A value in the page address that is not among the widget's options: say so (the
    bound widget would drop it silently)."""
    unknown = [value for value in st.query_params.get_all(key) if value not in known]
    if unknown:
        st.warning(plain(f"{label}: {', '.join(map(repr, unknown))} not known; left out of "
                         "the view."), icon=":material/link_off:")


# What a bound st.date_input takes from the address (streamlit's DateInputSerde): any other
# text, or a date outside the widget's min_value..max_value, is dropped without a word.
LINK_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")


def bad_link_dates(key: str, earliest: dt.date | None = None,
                   latest: dt.date | None = None) -> list[str]:
    """The values of `key` in the page address that a bound date field would drop: not a
    date as it reads them (2026-02-31, garbage, 20260201) or outside `earliest`..`latest`.
    Read them before the field is drawn: drawing it removes them from the address."""
    bad = []
    for value in st.query_params.get_all(key):
        day = None
        for pattern in LINK_DATE_FORMATS:
            try:
                day = dt.datetime.strptime(value, pattern).date()
                break
            except ValueError:
                continue
        if day is None or (earliest and day < earliest) or (latest and day > latest):
            bad.append(value)
    return bad


def bad_link_date_message(label: str, values: list[str], instead: str = "left out of the "
                          "view") -> str:
    return plain(f"{label}: {', '.join(map(repr, values))} in the address is not a date "
                 f"(YYYY-MM-DD) the field takes; {instead}.")


def warn_bad_link_date(key: str, label: str, earliest: dt.date | None = None,
                       latest: dt.date | None = None) -> None:
    """A date in the page address that is not one: say so (the bound date field would drop
    it silently). Call it before the field is drawn."""
    bad = bad_link_dates(key, earliest, latest)
    if bad:
        st.warning(bad_link_date_message(label, bad), icon=":material/link_off:")


def csv_bytes(table) -> bytes:
    return report.table_csv(table).encode("utf-8")


def money_column(label: str, currency: str, help: str | None = None):
    """A table column of amounts in the store's currency, whole units (no cents)."""
    named = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}
    number_format = named.get(currency) or f"{fmt.symbol(currency)}%,.0f"
    return st.column_config.NumberColumn(label, format=number_format, step=1, help=help)


def percent_column(label: str, help: str | None = None):
    """A table column of rates (0.28) shown as whole percentages (28%). The step is the
    precision of the value shown: 0.01 is a whole percent (a step of 1 would show 0.71 as
    0%)."""
    return st.column_config.NumberColumn(label, format="percent", step=0.01, help=help)


def count_column(label: str, help: str | None = None):
    """A table column of counts with thousands separators (13,902)."""
    return st.column_config.NumberColumn(label, format="localized", step=1, help=help)


def table(frame, column_config: dict, **options) -> None:
    """A read-only table as every page draws it: missing cells as a dash (the column's
    help says what a dash means there), never "None"."""
    st.dataframe(frame, column_config=column_config, hide_index=True,
                 placeholder=fmt.MISSING, **options)


STATE_WORDS = {State.UNKNOWN: "can't be measured", State.NOT_APPLICABLE: "not applicable"}


def metric_row(view: View, figures: list[tuple[str, str | None]], currency: str,
               words: dict | None = None) -> None:
    """A row of figures, each (key, note under it), with its definition as the hover help;
    `words` says some of them in words ({key: value -> "$52.6M less than at the start"}),
    never as a bare signed number. A figure without a number shows a dash, says so under
    it, and a caption under the row says why (figures with one reason together)."""
    reasons: dict[str, list[str]] = {}
    for column, (key, note) in zip(st.columns(len(figures)), figures, strict=True):
        figure = view.figures[key]
        shown = ((words or {}).get(key) or (lambda value, f=figure: fmt.by_unit(
            value, f.unit, currency)))
        if _figure_card(column, figure, shown, note):
            reasons.setdefault(figure.reason, []).append(figure.label)
    for reason, labels in reasons.items():
        st.caption(plain(f"{', '.join(labels)}: {reason}"))


def _figure_card(where, figure, shown, note: str | None) -> bool:
    """One figure as a card: its value as `shown(value)` says it, or a dash and why not.
    True when it has no value (the caller says the reason)."""
    if figure.known:
        where.metric(figure.label, shown(figure.value), delta=note, delta_color="off",
                     delta_arrow="off", help=plain(figure.definition), border=True)
        return False
    where.metric(figure.label, fmt.MISSING, delta=STATE_WORDS[figure.state], delta_color="off",
                 delta_arrow="off", help=plain(f"{figure.reason}\n\n{figure.definition}"),
                 border=True)
    return True


def notes(view_notes: list[Note]) -> None:
    """A view's notes, each drawn by its kind, the same way on every page."""
    for note in view_notes:
        text = plain(note.text)
        if note.kind is NoteKind.NOTHING:
            st.info(text, icon=":material/info:")
        elif note.kind is NoteKind.CAVEAT:
            st.warning(text, icon=":material/rule:")
        else:
            st.caption(text)


def chart(figure, where=st) -> None:
    """A chart as every page draws it, without Plotly's mode bar; `where` is a column or
    other container (the page itself by default)."""
    where.plotly_chart(figure, config={"displayModeBar": False})


def wait_column(frame, column: str, label: str, help: str | None = None):
    """A table column of waiting times held in hours, in the one unit that reads for the
    column: fmt.hours' rule applied to its typical (median) wait, so that one long wait does
    not turn a column of hours into fractions of a day: hours while the typical wait is
    under two days ("Median (h)" 7.3 h), days otherwise ("Waiting (days)" 62.4 days).
    Returns the frame with the column in that unit and the column's config."""
    typical = frame[column].median() if len(frame) else None
    if fmt.missing(typical) or typical < fmt.HOURS_SHOWN_AS_DAYS:
        return frame, st.column_config.NumberColumn(f"{label} (h)", format="%.1f h",
                                                    help=help)
    in_days = frame.assign(**{column: frame[column] / 24})
    return in_days, st.column_config.NumberColumn(f"{label} (days)", format="%.1f days",
                                                  help=help)


def metric_in_words(view: View, key: str, words, note: str | None, where=st) -> None:
    """One figure said in words (`words(value)`, e.g. "470 more MQLs than needed"), never
    as a bare signed number; a dash and the reason when it has no value."""
    figure = view.figures[key]
    if _figure_card(where, figure, words, note):
        where.caption(plain(f"{figure.label}: {figure.reason}"))


def contact_columns() -> dict:
    """Column settings for a lead's contact: its email and phone as mailto: and tel: links
    (relay.contacts.with_links) showing the address and number, the rest as text."""
    return {
        "name": st.column_config.TextColumn("Name", help="A dash: the CRM export had no name"),
        "company": "Company", "title": "Title",
        "email_link": st.column_config.LinkColumn(
            "Email", display_text=contacts.EMAIL_SHOWN, help="Opens your mail program"),
        "phone_link": st.column_config.LinkColumn(
            "Phone", display_text=contacts.PHONE_SHOWN, help="Calls from a phone"),
    }
