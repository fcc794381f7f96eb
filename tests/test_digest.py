"""The weekly digest, sent through a real SMTP server on loopback (aiosmtpd) started here:
who got a digest, its subject, and that each rep's holds exactly their own leads and
campaigns, escaped in HTML, with links that open their week."""

from __future__ import annotations

import email
import email.policy
import ssl
from urllib.parse import parse_qs, urlsplit

import pytest
import week_fixture as team
from aiosmtpd.controller import Controller
from streamlit.testing.v1 import AppTest

from conftest import PROJECT_ROOT, by, copy_store, free_port
from relay import cli, digest, settings, store

APP = "https://relay.example.com"


class Inbox:
    """What the SMTP server received: (recipients, message) per mail."""

    def __init__(self):
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.mails.append((list(envelope.rcpt_tos),
                           email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"

    def to(self, address: str) -> email.message.EmailMessage:
        (found,) = [mail for recipients, mail in self.mails if recipients == [address]]
        return found


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def team_store(tmp_path, empty_template, smtp_server):
    path = copy_store(empty_template, tmp_path / "team.duckdb")
    connection = store.open_store(path)
    try:
        team.fill(connection)
        by("admin", settings.change_many, connection, {
            "smtp_host": "127.0.0.1", "smtp_port": str(smtp_server[1]),
            "smtp_starttls": "false", "digest_from": "relay@example.com", "app_url": APP})
    finally:
        store.checkpoint_and_close(connection)
    return path


def parts(mail) -> tuple[str, str]:
    return (mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content())


def test_each_rep_gets_exactly_their_own_week_through_smtp(team_store, smtp_server, capsys):
    inbox, _ = smtp_server
    assert cli.main(["digest", "--send", "--db", str(team_store), "--as-of", "2026-08-15"]) == 0
    assert sorted(r for recipients, _ in inbox.mails for r in recipients) == [
        "ann@example.com", "bob@example.com", "eve@example.com", "mia@example.com"]
    assert "Sent 4 digests" in capsys.readouterr().out

    ann = inbox.to("ann@example.com")
    assert ann["From"] == "relay@example.com"
    assert ann["Subject"] == "Your week: 2 leads past the SLA, 2 campaigns coming (15 Aug 2026)"
    text, markup = parts(ann)
    # Her breaches, oldest first, with contacts; never Bob's lead.
    assert text.index("Old Oscar") < text.index("Zoe <Zed> & Co") < text.index("Al Inside")
    assert "<mailto:zoe@zed.example> <tel:+12025550101>" in text
    assert "Bea Bobslead" not in text and "Bea Bobslead" not in markup
    # Her campaigns: the calendar's NA SMB ones, with the leads each should bring her.
    assert "Ebook for all (Content Syndication, live), 01 Aug – 30 Sep: about 40 leads" in text
    assert "NA SMB webinar (Webinar, planned), 20 Aug – 20 Aug: about 30 leads" in text
    assert "EMEA event" not in text and "NA Enterprise dinner" not in text
    assert "Commit $30.0K, best case $45.0K" in text
    # HTML: the same content, data text escaped.
    assert "Zoe &lt;Zed&gt; &amp; Co" in markup and "<Zed>" not in markup
    assert '<a href="mailto:zoe@zed.example">zoe@zed.example</a>' in markup
    assert "about 40 leads" in markup

    bob_text, _ = parts(inbox.to("bob@example.com"))
    assert "Bea Bobslead" in bob_text and "Old Oscar" not in bob_text
    assert "owns no deals and has made no call" in bob_text

    mia_text, _ = parts(inbox.to("mia@example.com"))
    assert inbox.to("mia@example.com")["Subject"] == (
        "Your team's week: 3 leads past the SLA (15 Aug 2026)")
    assert "Ann Rep: 2 past the SLA, 1 inside it, about 70 leads" in mia_text
    assert "Bob Rep: 1 past the SLA, 0 inside it" in mia_text
    assert "Old Oscar" not in mia_text  # a roll-up: each rep's week is a link away


def test_the_links_open_the_reps_own_week_and_calendar(team_store, smtp_server, app_env):
    inbox, _ = smtp_server
    assert cli.main(["digest", "--send", "--db", str(team_store), "--as-of", "2026-08-15",
                     "--to", "bob@example.com"]) == 0
    assert [recipients for recipients, _ in inbox.mails] == [["bob@example.com"]]
    text, _ = parts(inbox.to("bob@example.com"))
    week_url = next(line.split(": ", 1)[1] for line in text.splitlines()
                    if line.startswith("Open my week: "))
    calendar_url = next(line.split(": ", 1)[1] for line in text.splitlines()
                        if line.startswith("Open the campaign calendar: "))
    assert week_url == f"{APP}/week?quarter=2026-Q3&rep=Bob+Rep"
    shown = urlsplit(calendar_url)
    assert shown.path == "/calendar" and parse_qs(shown.query) == {
        "range": ["Custom dates"], "from": ["2026-08-15"], "to": ["2026-09-13"],
        "region": ["NA"], "segment": ["SMB"]}

    app_env(team_store, team.AS_OF)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    for key, values in parse_qs(urlsplit(week_url).query).items():
        at.query_params[key] = values[0]
    at.run()
    at.switch_page("app_pages/" + urlsplit(week_url).path.strip("/") + ".py").run()
    assert not at.exception
    assert at.selectbox(key="rep").value == "Bob Rep"
    assert at.dataframe[0].value["lead_id"].tolist() == ["B1"]


def test_without_send_the_digests_are_written_to_files(team_store, smtp_server, tmp_path):
    inbox, _ = smtp_server
    out = tmp_path / "digests"
    assert cli.main(["digest", "--db", str(team_store), "--as-of", "2026-08-15", "--out",
                     str(out)]) == 0
    assert inbox.mails == []
    assert sorted(path.name for path in out.iterdir()) == [
        f"{who}@example.com.{kind}" for who in ("ann", "bob", "eve", "mia")
        for kind in ("html", "txt")]
    assert "Old Oscar" in (out / "ann@example.com.txt").read_text()
    assert (out.stat().st_mode & 0o777) == 0o700


def test_send_without_a_mail_server_says_what_to_set(tmp_path, team_template_free):
    path = team_template_free
    assert cli.main(["digest", "--send", "--db", str(path)]) == 1


@pytest.fixture
def team_template_free(tmp_path, empty_template):
    path = copy_store(empty_template, tmp_path / "bare.duckdb")
    connection = store.open_store(path)
    try:
        team.fill(connection)
    finally:
        store.checkpoint_and_close(connection)
    return path


def _change(path, values: dict[str, str]) -> None:
    connection = store.open_store(path)
    try:
        by("admin", settings.change_many, connection, values)
    finally:
        store.checkpoint_and_close(connection)


def test_an_email_that_names_two_addresses_gets_no_digest(team_store, smtp_server, capsys):
    inbox, _ = smtp_server
    connection = store.open_store(team_store)
    try:
        connection.execute("update people set email = 'eve@example.com, x@evil.example' "
                           "where person_id = 'R3'")
    finally:
        store.checkpoint_and_close(connection)
    assert cli.main(["digest", "--send", "--db", str(team_store), "--as-of", "2026-08-15"]) == 0
    recipients = sorted(r for got, _ in inbox.mails for r in got)
    assert recipients == ["ann@example.com", "bob@example.com", "mia@example.com"]
    assert "Eve Rep (R3): their email 'eve@example.com, x@evil.example' is not one address" in (
        capsys.readouterr().err)
    assert digest.one_address("Ann <ann@example.com>")
    assert not digest.one_address("ann@example.com\r\nBcc: x@evil.example")


def test_a_login_without_tls_goes_only_to_a_loopback_server(team_store, smtp_server,
                                                            monkeypatch):
    inbox, _ = smtp_server
    monkeypatch.setenv(digest.PASSWORD_ENV, "secret")
    _change(team_store, {"smtp_host": "mail.example.com", "smtp_user": "relay@example.com"})
    connection = store.open_store(team_store, read_only=True)
    try:
        config = settings.load(connection)
    finally:
        connection.close()
    with pytest.raises(digest.DigestError, match="unencrypted"):
        digest.send([], config)  # refused before any connection is made
    assert digest.is_loopback("127.0.0.1") and digest.is_loopback("localhost")
    assert digest.is_loopback("::1") and not digest.is_loopback("mail.example.com")


def test_starttls_checks_the_servers_certificate(monkeypatch, team_store):
    started = []

    class Server:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, context=None):
            started.append(context)

        def send_message(self, mail):
            pass

    monkeypatch.setattr(digest.smtplib, "SMTP", Server)
    _change(team_store, {"smtp_starttls": "true"})
    connection = store.open_store(team_store, read_only=True)
    try:
        config = settings.load(connection)
    finally:
        connection.close()
    digest.send([], config)
    (context,) = started
    assert context is not None and context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_send_without_app_url_is_refused_and_names_the_setting(team_store, smtp_server,
                                                               tmp_path, capsys):
    inbox, _ = smtp_server
    _change(team_store, {"app_url": ""})
    assert cli.main(["digest", "--send", "--db", str(team_store), "--as-of", "2026-08-15"]) == 1
    assert inbox.mails == []
    assert "app_url" in capsys.readouterr().err
    assert cli.main(["digest", "--db", str(team_store), "--as-of", "2026-08-15", "--out",
                     str(tmp_path / "out")]) == 0
    assert "app_url" in capsys.readouterr().err  # written, with the warning


def test_a_managers_digest_lists_their_own_waiting_leads_too(team_store, smtp_server):
    inbox, _ = smtp_server
    connection = store.open_store(team_store)
    try:  # Mia's own MQL of 14 Aug 09:00: 39 h by the end of 15 Aug, past the 24 h SLA
        connection.execute(
            "insert into leads (lead_id, region, segment, created_at, stage, mql_at, owner_id, "
            "name) values ('M9', 'NA', 'SMB', '2026-08-14 08:00', 'mql', '2026-08-14 09:00', "
            "'M1', 'Mo Mine')")
    finally:
        store.checkpoint_and_close(connection)
    assert cli.main(["digest", "--send", "--db", str(team_store), "--as-of", "2026-08-15",
                     "--to", "mia@example.com"]) == 0
    text, _ = parts(inbox.to("mia@example.com"))
    assert "Your own leads waiting past the SLA (1), oldest first" in text
    assert "- Mo Mine — waiting 39 h" in text
    assert "Ann Rep: 2 past the SLA" in text
    assert f"Open my week: {APP}/week?quarter=2026-Q3&rep=Mia+Lead" in text
