"""The review pack: its figures are the views' (hand-worked on the fixture, `relay report`'s
on the demo), it opens with no network, names from the data stay text, the command line
writes it, and Chromium prints it."""

import datetime as dt
import json
import os
import re
from html.parser import HTMLParser

import pytest

from conftest import AS_OF, DEMO_AS_OF, PROJECT_ROOT, by
from relay import cli, goals, pack, sql, store
from relay import format as fmt
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import meeting

# Goal writes refuse closed quarters by today's date: today is the fixture's AS_OF.
pytestmark = pytest.mark.usefixtures("fixture_today")


class Pack(HTMLParser):
    """What a reader sees in the pack: each figure (data-figure) with its value and note,
    each table (data-table) as rows of {column: text}, the scripts and the links."""

    def __init__(self, page: str):
        super().__init__()
        self.figures: dict[str, dict[str, str]] = {}
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.problems: list[str] = []
        self.scripts: list[dict] = []  # attributes of every <script>
        self.links: list[dict] = []  # attributes of every <link>, <img>, <iframe>
        self.script_text = ""
        self._figure = self._part = self._table = self._column = None
        self._in_script = self._in_problem = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "script":
            self.scripts.append(attrs)
            self._in_script = True
        elif tag in ("link", "img", "iframe", "object", "embed"):
            self.links.append(attrs)
        elif "data-figure" in attrs:
            self._figure = self.figures.setdefault(attrs["data-figure"], {
                "state": attrs["data-state"], "label": "", "value": "", "note": ""})
        elif self._figure is not None and tag == "div" and classes:
            self._part = classes[0]
        elif "data-table" in attrs:
            self._table = self.tables.setdefault(attrs["data-table"], [])
        elif tag == "tr" and self._table is not None:
            self._table.append({})
        elif "data-column" in attrs and self._table is not None:
            self._column = attrs["data-column"]
            self._table[-1][self._column] = ""
        elif "data-problem" in attrs:
            self.problems.append("")
            self._in_problem = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        elif tag == "div" and self._part is not None:
            self._part = None
        elif tag == "div" and self._figure is not None:
            self._figure = None
        elif tag == "td":
            self._column = None
        elif tag == "table":
            self.tables[next(reversed(self.tables))] = [r for r in self._table if r]
            self._table = None
        elif tag == "p":
            self._in_problem = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text += data
        elif self._part is not None:
            self._figure[self._part] += data.strip()
        elif self._column is not None:
            self._table[-1][self._column] += data
        elif self._in_problem:
            self.problems[-1] += data


def pack_of(path, quarter: str, as_of: dt.date) -> str:
    connection = store.open_store(path, read_only=True)
    try:
        with sql.cursor(connection) as cursor:
            return pack.pack_html(cursor, quarter, as_of)
    finally:
        connection.close()


def values(read: Pack, section: str) -> dict[str, str]:
    return {key.split(".", 1)[1]: figure["value"] for key, figure in read.figures.items()
            if key.startswith(section + ".")}


def test_the_fixture_pack_holds_the_hand_worked_figures(fixture_path):
    """Planning 2026-Q3 on 15 Aug 2026: the review is of 2026-Q2, the closed quarter."""
    read = Pack(pack_of(fixture_path, "2026-Q3", AS_OF))
    # 2026-Q2: one goal, revenue $150K; won in the quarter H6 $6,000 and D7 $7,000.
    assert read.figures["review.goals_hit"]["value"] == "0 of 1"
    # Nobody signed 2026-Q2: its goal is judged on its target, and says so.
    assert read.tables["review_goals"] == [{
        "goal": "Closed-won revenue · company-wide", "team": "shared", "signed": "—",
        "target": "$150K", "actual": "$13.0K", "attainment": "9%", "status": "Missed",
        "result": "$137K short of the plan", "judged_on": "goal (never signed by both sides)"}]
    # What drove the miss: revenue, the only goal; and C1, expected to bring 51.6 leads in
    # Q2 (16 of its 31 days, 100 leads), which brought 1 (L2). No channel's MQLs fell: 2026-Q1
    # had none.
    assert read.tables["review_drivers"] == [
        {"driver": "Funnel stage furthest short", "where": "Closed-won revenue",
         "figure": "$13.0K of $150K: $137K short of the plan"},
        {"driver": "Campaign furthest short of its expected leads", "where": "NA SMB webinar",
         "figure": "1 of 52 expected leads arrived: 51 short"}]
    assert [row["signed"] for row in read.tables["review_signatures"]] == ["Not signed"] * 2
    # The 2026-Q3 goals as set, nobody has signed them yet.
    agreed = {row["goal"]: row["target"] for row in read.tables["agreed_goals"]}
    assert agreed == {"Closed-won revenue · company-wide": "$200K",
                      "Closed-won revenue · NA": "$120K", "MQLs · company-wide": "10",
                      "SQLs · company-wide": "4", "Win rate · company-wide": "50%",
                      "nps · company-wide": "50"}
    assert [row["signed"] for row in read.tables["signatures"]] == ["Not signed yet"] * 2
    # No SAL → SQL or SQL → opportunity history: the waterfall says so instead of numbers.
    assert not values(read, "plan")
    assert any("SAL → SQL" in problem for problem in read.problems)
    # Campaigns running in Q3: C1 (15 Jun–15 Jul, 100 leads expected, 15 of its 31 days in
    # Q3: 48.4) and C2 (20–22 Sep, 50); C2 has not started; L1 is C1's lead of Q3 so far.
    assert values(read, "campaigns") == {
        "campaigns_in_view": "2", "live_now": "0", "starting_in_range": "1",
        "expected_leads_in_range": "98", "leads_arrived_in_range": "1",
        "overlapping_pairs": "0"}
    assert [(row["name"], row["budget"], row["expected_leads"])
            for row in read.tables["campaigns"]] == [("NA SMB webinar", "$5.0K", "100"),
                                                      ("EMEA event", "$20.0K", "50")]
    # Won D1 $10K + D2 $50K; the reps' latest calls by 15 Aug: Ann 35K/50K, Bob 40K/60K
    # (the manager's call is not rolled up); open D4 $30K + D5 $40K.
    forecast = values(read, "forecast")
    assert {key: forecast[key] for key in (
        "revenue_target", "closed_won", "attainment", "submitters", "commit", "best_case",
        "open_pipeline", "commit_gap")} == {
        "revenue_target": "$200K", "closed_won": "$60.0K", "attainment": "30%",
        "submitters": "2", "commit": "$75.0K", "best_case": "$110K",
        "open_pipeline": "$70.0K", "commit_gap": "$125K short of target"}


def test_the_pack_shows_who_signed_and_a_signature_a_change_outdated(fixture_path):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    seen = goals.revision(cursor, "2026-Q3")
    by("mona.marketing", goals.sign_off, connection, "2026-Q3", "marketing", seen)
    by("sid.sales", goals.sign_off, connection, "2026-Q3", "sales", seen)
    mqls = next(goal for goal in sql.records(cursor, "goals_for_quarter", quarter="2026-Q3")
                if goal["metric"] == "mqls")
    by("pat", goals.save_targets, connection,
       [goals.TargetEdit(mqls["goal_id"], mqls["version"], 11)])
    by("mona.marketing", goals.sign_off, connection, "2026-Q3", "marketing", seen + 1)
    connection.close()
    signed = [row["signed"] for row in Pack(pack_of(fixture_path, "2026-Q3", AS_OF)).tables[
        "signatures"]]
    when = r"\d\d \w{3} \d{4} \d\d:\d\d"
    assert re.fullmatch(f"mona.marketing, {when}", signed[0])
    assert re.fullmatch(f"sid.sales, {when} — outdated: the goals changed after this "
                        "signature", signed[1])


def test_the_pack_reviews_against_the_plan_as_signed_not_as_edited_since(
        fixture_path, monkeypatch):
    connection = store.open_store(fixture_path)
    cursor = connection.cursor()
    monkeypatch.setenv("RELAY_TODAY", "2026-06-01")  # while 2026-Q2 was open
    seen = goals.revision(cursor, "2026-Q2")
    by("root", goals.sign_off, connection, "2026-Q2", "marketing", seen, signer="Max Marketer")
    by("root", goals.sign_off, connection, "2026-Q2", "sales", seen, signer="Ann Rep")
    revenue = sql.records(cursor, "goals_for_quarter", quarter="2026-Q2")[0]
    by("pat", goals.save_targets, connection,  # edited down to what was then won
       [goals.TargetEdit(revenue["goal_id"], revenue["version"], 13_000)])
    connection.close()
    monkeypatch.setenv("RELAY_TODAY", AS_OF.isoformat())
    read = Pack(pack_of(fixture_path, "2026-Q3", AS_OF))
    # Signed at $150K, edited since to $13K: $13.0K won is a miss of the plan as signed.
    (row,) = read.tables["review_goals"]
    assert (row["signed"], row["target"], row["status"], row["result"], row["judged_on"]) == (
        "$150K", "$13.0K", "Missed", "$137K short of the plan", "signed plan")
    assert read.figures["review.goals_hit"]["value"] == "0 of 1"


def test_the_meeting_page_offers_the_pack_and_its_pdf(app_env, fixture_path):
    from streamlit.testing.v1 import AppTest

    app_env(fixture_path, AS_OF)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("app_pages/meeting.py").run()
    assert not at.exception
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["Download the 2026-Q3 planning pack", "The same as a PDF"]


def test_an_unknown_figure_is_a_dash_with_its_reason(deals_only_path):
    """A store of deals alone: no goals, campaigns or calls; nothing reads None or nan."""
    page = pack_of(deals_only_path, "2026-Q3", AS_OF)
    read = Pack(page)
    commit = read.figures["forecast.commit"]
    assert commit["value"] == fmt.MISSING and commit["state"] == "unknown"
    assert commit["note"] == ("can't be measured: no rep has submitted a forecast for 2026-Q3 "
                              "by 15 Aug 2026")
    target = read.figures["forecast.revenue_target"]
    assert target["value"] == fmt.MISSING and target["note"].startswith("can't be measured: ")
    for figure in read.figures.values():
        assert figure["value"] == fmt.MISSING or figure["state"] == "known"
        assert figure["state"] == "known" or len(figure["note"]) > len("can't be measured: ")
    shown = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert not re.search(r">\s*(None|nan|NaN|n/a)\s*<", shown)


def test_the_pack_opens_with_no_network_and_keeps_data_as_text(fixture_path):
    connection = store.open_store(fixture_path)
    connection.execute("update campaigns set name = '<script>alert(1)</script>' "
                       "where campaign_id = 'C2'")
    connection.close()
    page = pack_of(fixture_path, "2026-Q3", AS_OF)
    read = Pack(page)
    # plotly.js inline once, every chart drawn by it; nothing fetched from anywhere.
    assert all("src" not in script for script in read.scripts)
    assert read.links == []
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.S)  # plotly.js names URLs
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert read.script_text.count("plotly.js v") == 1
    assert page.count("Plotly.newPlot(") == 4  # review, timeline, lead flow, forecast
    # The campaign's name is text in the table; in the charts' JSON it is escaped.
    assert read.tables["campaigns"][1]["name"] == "<script>alert(1)</script>"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def report(capsys, *args) -> dict:
    assert cli.main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def shown_as_reported(figure: dict) -> str:
    return (fmt.by_unit(figure["value"], figure["unit"]) if figure["state"] == "known"
            else fmt.MISSING)


def test_the_demo_pack_equals_relay_report(capsys, demo_path):
    """Planning next quarter (2027-Q1) on the demo's today, mid 2026-Q4: the review is of
    2026-Q3, the last closed quarter; every figure is what `relay report` prints."""
    quarter, reviewed = Quarter.parse("2027-Q1"), "2026-Q3"
    read = Pack(pack_of(demo_path, str(quarter), DEMO_AS_OF))
    common = ["--db", str(demo_path), "--as-of", DEMO_AS_OF.isoformat()]

    goals = report(capsys, "report", "goals", "--quarter", reviewed, *common)
    rows = goals["tables"]["goals"]
    assert [(row["goal"], row["target"], row["actual"])
            for row in read.tables["review_goals"]] == [
        (row["goal"], row["target_shown"], row["actual_shown"]) for row in rows]
    # Judged as the meeting page judges them: against the plan as signed.
    connection = store.open_store(demo_path, read_only=True)
    try:
        review = meeting.build(connection.cursor(), Filters(quarter), DEMO_AS_OF).tables[
            "review"]
    finally:
        connection.close()
    assert [(row["signed"], row["status"], row["result"], row["judged_on"])
            for row in read.tables["review_goals"]] == list(review[
                ["signed_shown", "status", "result", "judged_on"]].itertuples(
                    index=False, name=None))
    judged = review[review["status"].isin(["Hit", "Missed"])]
    assert read.figures["review.goals_hit"]["value"] == (
        f"{(judged['status'] == 'Hit').sum()} of {len(judged)}")

    planned = report(capsys, "report", "goals", "--quarter", str(quarter), *common)
    assert [(row["goal"], row["target"]) for row in read.tables["agreed_goals"]] == [
        (row["goal"], row["target_shown"]) for row in planned["tables"]["goals"]]

    waterfall = report(capsys, "plan", "--quarter", str(quarter), *common)["figures"]
    calendar = report(capsys, "report", "calendar", "--from", quarter.start.isoformat(),
                      "--to", quarter.last_day.isoformat(), *common)["figures"]
    forecast = report(capsys, "report", "forecast", "--quarter", str(quarter), *common)
    in_words = {"plan.mql_gap", "forecast.commit_gap", "forecast.forecast_gap"}
    reported = {"plan": waterfall, "campaigns": calendar, "forecast": forecast["figures"]}
    assert len(read.figures) > 25
    for key, figure in read.figures.items():
        section, name = key.split(".", 1)
        if section == "review":
            continue
        expected = reported[section][name]
        assert figure["state"] == expected["state"], key
        if key not in in_words:
            assert figure["value"] == shown_as_reported(expected), key
    gap = forecast["figures"]["forecast_gap"]["value"]
    assert read.figures["forecast.forecast_gap"]["value"] == fmt.against(
        gap, "currency", "above target", "short of target")
    assert len(read.tables["campaigns"]) == calendar["campaigns_in_view"]["value"]


def test_relay_pack_writes_the_file(capsys, tmp_path, fixture_path):
    output = tmp_path / "pack.html"
    loose = os.umask(0o022)  # a default umask: others could read a file written plainly
    try:
        code = cli.main(["pack", "--db", str(fixture_path), "--quarter", "2026-Q3",
                         "--as-of", AS_OF.isoformat(), "--output", str(output)])
    finally:
        os.umask(loose)
    assert code == 0
    assert output.stat().st_mode & 0o777 == 0o600  # the user's own, as the digests are
    assert f"Wrote the 2026-Q3 pack to {output}" in capsys.readouterr().out
    assert Pack(output.read_text()).figures["review.goals_hit"]["value"] == "0 of 1"
    assert not output.with_suffix(".pdf").exists()
    assert cli.main(["pack", "--db", str(fixture_path), "--quarter", "2026-Q5",
                     "--output", str(output)]) == 2
    assert "--quarter: '2026-Q5' is not a fiscal quarter" in capsys.readouterr().err


@pytest.mark.skipif(not pack.CHROMIUM.exists(), reason="no Chromium to print with")
def test_relay_pack_pdf_is_printed_by_chromium(capsys, tmp_path, fixture_path):
    output = tmp_path / "pack.html"
    assert cli.main(["pack", "--db", str(fixture_path), "--quarter", "2026-Q3", "--as-of",
                     AS_OF.isoformat(), "--output", str(output), "--pdf"]) == 0
    printed = output.with_suffix(".pdf")
    assert f"Printed it to {printed}" in capsys.readouterr().out
    assert printed.read_bytes().startswith(b"%PDF")


def test_without_chromium_the_html_is_written_and_the_pdf_refused_saying_why(
        capsys, tmp_path, fixture_path, monkeypatch):
    monkeypatch.setattr(pack, "CHROMIUM", tmp_path / "no-chromium")
    output = tmp_path / "pack.html"
    assert cli.main(["pack", "--db", str(fixture_path), "--quarter", "2026-Q3", "--as-of",
                     AS_OF.isoformat(), "--output", str(output), "--pdf"]) == 1
    assert output.exists() and not output.with_suffix(".pdf").exists()
    assert (f"the HTML pack is written; the PDF is not: No Chromium at {tmp_path / 'no-chromium'}"
            in capsys.readouterr().err)
