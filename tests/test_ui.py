"""Text from the data is shown as text."""

import re

from relay import format as fmt
from relay.ui.widgets import plain


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
    assert fmt.money(None) == "n/a"
    assert fmt.percent(0.523) == "52%"
    assert fmt.ratio(3.89) == "3.9×"
    assert fmt.count(4069.6) == "4,070"
