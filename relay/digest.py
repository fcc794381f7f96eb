"""The weekly digest: for each rep, their week (relay.views.week) as an email, HTML and plain
text with the same content and links into the app; for each manager, their team's weeks
rolled up. Sent through the SMTP server of the settings, or written to files.

Every piece of data text in the HTML is escaped (html.escape): a lead called
"<b>Ann</b>" reads as typed, like everywhere else in the app."""

from __future__ import annotations

import datetime as dt
import html
import ipaddress
import os
import smtplib
import ssl
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pandas as pd

from relay import PROJECT_ROOT, identity, private, settings
from relay import format as fmt
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import calendar, week
from relay.views.common import View

PASSWORD_ENV = "RELAY_SMTP_PASSWORD"
LISTED = 25  # leads a digest lists per section; the app has them all


class DigestError(ValueError):
    """A digest that cannot be made or sent, with what to do."""


@dataclass(frozen=True)
class Digest:
    person_id: str
    name: str
    email: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class _Link:
    label: str
    url: str


def week_link(base_url: str, people: pd.DataFrame, person_id: str, quarter: Quarter) -> str:
    query = urlencode({"quarter": str(quarter), "rep": week.rep_label(people, person_id)})
    return f"{base_url}/week?{query}"


def build_all(cursor: duckdb.DuckDBPyConnection, as_of: dt.date, base_url: str,
              only_to: str | None = None) -> tuple[list[Digest], list[str]]:
    """Every digest of the week as of `as_of` (only the one addressed to `only_to`, when
    given), and who got none and why."""
    config = settings.load(cursor)
    quarter = Quarter.containing(as_of, config.fiscal_year_start_month)
    filters = Filters(quarter)
    people = week.reps(cursor)
    digests, skipped = [], []
    for person in people.itertuples():
        email = person.email if isinstance(person.email, str) and person.email.strip() else None
        if only_to and (email or "").strip().lower() != only_to.lower():
            continue
        if email is None:
            skipped.append(f"{person.name} ({person.person_id}): no email in the people table")
            continue
        if not one_address(email):
            skipped.append(f"{person.name} ({person.person_id}): their email {email!r} is not "
                           "one address (the To header would send it to whoever it names)")
            continue
        own = week.build(cursor, filters, as_of, rep=person.person_id)
        if person.is_manager:
            team = week.team(people, person.person_id)
            views = [week.build(cursor, filters, as_of, rep=member)
                     for member in team["person_id"]]
            digests.append(_manager_digest(person, own, team, views, people, base_url,
                                           quarter, config.currency))
        else:
            digests.append(_rep_digest(person, own, people, base_url, quarter,
                                       config.currency))
    if only_to and not digests and not skipped:
        raise DigestError(f"No sales person has the email {only_to!r}.")
    return digests, skipped


# --------------------------------------------------------------------------- one rep


def _figure(view: View, key: str, currency: str = "") -> str:
    figure = view.figures[key]
    if not figure.known:
        return f"{fmt.MISSING} ({figure.reason})"
    if figure.unit == "currency":
        return fmt.money(figure.value, currency)
    return fmt.count(figure.value)


def _lead_lines(leads: pd.DataFrame) -> list[tuple[str, list[_Link]]]:
    """Each lead as a line of text and its mailto:/tel: links."""
    lines = []
    for lead in leads.head(LISTED).itertuples():
        who = ", ".join(str(part) for part in (lead.name, lead.title, lead.company)
                        if isinstance(part, str)) or str(lead.lead_id)
        came = lead.campaign if isinstance(lead.campaign, str) else lead.source
        text = f"{who} — waiting {fmt.hours(lead.age_hours)}"
        if isinstance(came, str):
            text += f", from {came}"
        links = [_Link(str(value), str(url)) for value, url in (
            (lead.email, lead.email_link), (lead.phone, lead.phone_link))
            if isinstance(url, str)]
        lines.append((text, links))
    if len(leads) > LISTED:
        lines.append((f"… and {len(leads) - LISTED} more in the app", []))
    return lines


def _campaign_lines(campaigns: pd.DataFrame) -> list[tuple[str, list[_Link]]]:
    lines = []
    for campaign in campaigns.itertuples():
        to_rep = (fmt.MISSING if campaign.expected_to_rep is None
                  or pd.isna(campaign.expected_to_rep)
                  else fmt.count(round(campaign.expected_to_rep)))
        lines.append((f"{campaign.name} ({campaign.channel}, {campaign.status}), "
                      f"{campaign.start_date:%d %b} – {campaign.end_date:%d %b}: about "
                      f"{to_rep} leads to you", []))
    return lines


def _call_line(view: View, currency: str) -> str:
    commit = view.figures["my_commit"]
    if not commit.known:
        return commit.reason
    return (f"Commit {_figure(view, 'my_commit', currency)}, best case "
            f"{_figure(view, 'my_best_case', currency)}")


def _rep_digest(person, view: View, people: pd.DataFrame, base_url: str, quarter: Quarter,
                currency: str) -> Digest:
    past = view.tables["waiting_past_sla"]
    span = view.tables["campaign_range"].iloc[0]
    chosen = calendar.CalendarFilters(span["first_day"], span["last_day"], span["region"],
                                      span["segment"], preset=week.CAMPAIGN_RANGE)
    campaigns = view.tables["campaigns"]
    sections = [
        (f"Waiting past the SLA ({_figure(view, 'my_waiting_past_sla')}), oldest first",
         _lead_lines(past)),
        (f"Waiting, still inside the SLA ({_figure(view, 'my_waiting_within_sla')})",
         _lead_lines(view.tables["waiting_within_sla"])),
        (f"Campaigns in the next 30 days ({len(campaigns)}; about "
         f"{_figure(view, 'my_expected_campaign_leads')} leads to you)",
         _campaign_lines(campaigns)),
        (f"Your forecast call for {quarter}", [(_call_line(view, currency), [])]),
    ]
    links = [_Link("Open my week", week_link(base_url, people, person.person_id, quarter)),
             _Link("Open the campaign calendar", calendar.view_link(base_url, chosen))]
    subject = (f"Your week: {len(past)} leads past the SLA, {len(campaigns)} campaigns "
               f"coming ({view.as_of:%d %b %Y})")
    return _digest(person, subject, f"Hello {person.name},", sections, links)


# --------------------------------------------------------------------------- a manager


def _manager_digest(person, own: View, team: pd.DataFrame, views: list[View],
                    people: pd.DataFrame, base_url: str, quarter: Quarter,
                    currency: str) -> Digest:
    """The team rolled up, and first the manager's own leads waiting (a manager is a rep
    too: their leads wait on them like anyone's)."""
    rows, breaches = [], 0
    for member, view in zip(team.itertuples(), views, strict=True):
        past = view.tables["waiting_past_sla"]
        breaches += len(past)
        rows.append((f"{member.name}: {_figure(view, 'my_waiting_past_sla')} past the SLA, "
                     f"{_figure(view, 'my_waiting_within_sla')} inside it, about "
                     f"{_figure(view, 'my_expected_campaign_leads')} leads coming from "
                     f"campaigns; call: {_call_line(view, currency)}",
                     [_Link(f"{member.name}'s week",
                            week_link(base_url, people, member.person_id, quarter))]))
    sections = [
        (f"Your own leads waiting past the SLA ({_figure(own, 'my_waiting_past_sla')}), "
         "oldest first", _lead_lines(own.tables["waiting_past_sla"])),
        (f"Your own leads waiting, still inside the SLA "
         f"({_figure(own, 'my_waiting_within_sla')})",
         _lead_lines(own.tables["waiting_within_sla"])),
        (f"Your team ({len(team)} people)", rows or [("Nobody reports to you.", [])])]
    links = [_Link("Open my week", week_link(base_url, people, person.person_id, quarter)),
             _Link("Open Speed to lead",
                   f"{base_url}/sla?{urlencode({'quarter': str(quarter)})}")]
    subject = (f"Your team's week: {breaches} leads past the SLA "
               f"({views[0].as_of:%d %b %Y})" if views else
               f"Your team's week ({quarter})")
    return _digest(person, subject, f"Hello {person.name},", sections, links)


# --------------------------------------------------------------------------- both faces


def _digest(person, subject: str, greeting: str,
            sections: list[tuple[str, list[tuple[str, list[_Link]]]]],
            links: list[_Link]) -> Digest:
    """The same content twice: plain text, and HTML with every data text escaped."""
    text = [greeting, ""]
    markup = [f"<p>{html.escape(greeting)}</p>"]
    for title, lines in sections:
        text += [title, "-" * len(title)]
        markup.append(f"<h3>{html.escape(title)}</h3>")
        if not lines:
            text += ["(none)", ""]
            markup.append("<p>(none)</p>")
            continue
        markup.append("<ul>")
        for line, line_links in lines:
            text.append("- " + line + "".join(f" <{link.url}>" for link in line_links))
            anchors = "".join(f' · <a href="{html.escape(link.url)}">{html.escape(link.label)}</a>'
                              for link in line_links)
            markup.append(f"<li>{html.escape(line)}{anchors}</li>")
        markup.append("</ul>")
        text.append("")
    for link in links:
        text.append(f"{link.label}: {link.url}")
        markup.append(f'<p><a href="{html.escape(link.url)}">{html.escape(link.label)}</a></p>')
    return Digest(person.person_id, person.name, person.email, subject,
                  "\n".join(text) + "\n",
                  "<!doctype html><html><body>" + "\n".join(markup) + "</body></html>\n")


def message(digest: Digest, sender: str) -> EmailMessage:
    """The digest as one email: plain text, with the HTML as its alternative."""
    mail = EmailMessage()
    mail["Subject"] = digest.subject
    mail["From"] = sender
    mail["To"] = digest.email
    mail.set_content(digest.text)
    mail.add_alternative(digest.html, subtype="html")
    return mail


def one_address(value: str) -> bool:
    """Whether `value` is exactly one email address: "a@x, b@y" (or a line break, which
    would add headers) is not."""
    if "\r" in value or "\n" in value:
        return False
    found = getaddresses([value])
    return len(found) == 1 and "@" in found[0][1] and found[0][1].count("@") == 1


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine: mail to it never crosses a network."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False


def smtp_password() -> str | None:
    """The SMTP password: RELAY_SMTP_PASSWORD, else [smtp] password in secrets.toml."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    secrets = PROJECT_ROOT / identity.SECRETS_FILE
    if secrets.exists():
        return tomllib.loads(secrets.read_text(encoding="utf-8")).get("smtp", {}).get(
            "password")
    return None


def send(digests: list[Digest], config: settings.Settings) -> None:
    """Send every digest through the SMTP server of the settings, in one connection."""
    if not config.smtp_host:
        raise DigestError("No mail server is set: python -m relay setting smtp_host "
                          "mail.example.com (and smtp_port, smtp_starttls, smtp_user, "
                          "digest_from).")
    sender = config.digest_from or config.smtp_user
    if "@" not in sender:
        raise DigestError("No sender address: python -m relay setting digest_from "
                          "relay@example.com")
    if config.smtp_user and not config.smtp_starttls and not is_loopback(config.smtp_host):
        # Without TLS the password would cross the network in clear text; a server on this
        # machine (loopback) is the only one it may go to unencrypted.
        raise DigestError(f"smtp_user is set but smtp_starttls is off: the password would go "
                          f"to {config.smtp_host} unencrypted. Turn it on: python -m relay "
                          "setting smtp_starttls true (only a loopback server may log in "
                          "without TLS).")
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=60) as server:
        if config.smtp_starttls:
            # The default context checks the server's certificate and host name; starttls()
            # without one would encrypt to whoever answers.
            server.starttls(context=ssl.create_default_context())
        if config.smtp_user:
            password = smtp_password()
            if password is None:
                raise DigestError(f"smtp_user is set but no password: set {PASSWORD_ENV} or "
                                  "[smtp] password in .streamlit/secrets.toml.")
            server.login(config.smtp_user, password)
        for digest in digests:
            server.send_message(message(digest, sender))


def write(digests: list[Digest], folder: Path) -> list[Path]:
    """Each digest as <email>.txt and <email>.html in `folder` (only this user may read it:
    the digests name leads and their contacts)."""
    private.folder(folder, "the digests")
    written = []
    for digest in digests:
        stem = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in digest.email)
        for suffix, content in ((".txt", digest.text), (".html", digest.html)):
            path = folder / f"{stem}{suffix}"
            private.write_bytes(path, content.encode("utf-8"))
            written.append(path)
    return written
