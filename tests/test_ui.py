"""Text from the data is shown as text."""

import re

import pandas as pd

from relay import format as fmt
from relay.ui.widgets import percent_column, plain, wait_column


def rendered(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def test_plain_keeps_markdown_and_html_from_doing_anything():
    for text in ["[click](http://evil.example)", "![img](x.png)", "<b>bold</b>",
                 "**loud** _quiet_", "$x^2$ costs $5", ":red[alarm] :material/delete:",
                 "# heading", "`code`", "a\\b"]:
        escaped = plain(text)
        assert rendered(escaped) == text
        for token in ("[", "]", "(", "<", "*", "_", "$", ":", "#", "`"):
            assert token not in escaped.replace("\\" + token, "")


def test_number_formats():
    assert fmt.money(24_560_000) == "$24.6M"
    assert fmt.money(60_000) == "$60.0K"
    assert fmt.money(999) == "$999"
    assert fmt.money(-1_500, "EUR") == "−€1.5K"
    assert fmt.money(2_000_000, "CHF") == "CHF 2.0M"
    assert fmt.money(None) == "—" and fmt.money(float("nan")) == "—"
    assert fmt.money(742) == "$742" and fmt.money(999_999) == "$1.0M"
    assert fmt.money(120_660_000) == "$120.7M"
    assert fmt.money_exact(3_875_970.38) == "$3,875,970"
    assert fmt.percent(-0.94) == "−94%" and fmt.percent(None) == "—"
    assert fmt.hours(3.25) == "3.2 h" and fmt.hours(36) == "36 h" and fmt.hours(1487) == "62 days"
    assert fmt.count(13902) == "13,902" and fmt.count(None) == "—"
    assert fmt.against(-980_000, "currency", "above target", "short of target") == (
        "$980K above target")
    assert fmt.against(470, "count", "more than needed", "short") == "470 short"
    assert fmt.against(0, "count", "more than needed", "short", "on target") == "on target"
    assert fmt.in_words(-52_600_000, "currency", "more than at the start",
                        "less than at the start") == "$52.6M less than at the start"
    assert fmt.in_words(None, "percent", "too high", "too low") == "—"
    assert fmt.percent(0.523) == "52%"
    assert fmt.ratio(3.89) == "3.9×"
    assert fmt.count(4069.6) == "4,070"


def test_a_rate_column_shows_whole_percentages_not_rounded_values():
    # The grid rounds a value to its step before formatting it: a step of 1 showed every
    # rep's 71% within SLA as 0%. A step of 0.01 keeps whole percentages (seen in Chromium).
    assert percent_column("Within SLA")["type_config"] == {
        "type": "number", "min_value": None, "max_value": None, "format": "percent",
        "step": 0.01}


def test_a_wait_column_reads_in_the_unit_of_its_typical_wait():
    # One rep's 50-hour wait among waits of hours keeps the column in hours (it turned the
    # whole column into 0.3 days while the card beside it said 43 h).
    hours = pd.DataFrame({"p90_hours": [5.0, 7.0, 50.0]})
    shown, config = wait_column(hours, "p90_hours", "90th percentile")
    assert config["label"] == "90th percentile (h)" and shown["p90_hours"].tolist() == [
        5.0, 7.0, 50.0]
    days = pd.DataFrame({"age_hours": [60.0, 72.0, 5.0]})
    shown, config = wait_column(days, "age_hours", "Waiting")
    assert config["label"] == "Waiting (days)" and shown["age_hours"].tolist() == [
        2.5, 3.0, 5 / 24]

