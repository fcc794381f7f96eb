"""The crowd bench (benchmarks.crowd) against a small store: the real server, a few
sessions over its websocket, one round of every page each, so that the tool cannot rot.
No timing is asserted: the figures are the bench's to report."""

from __future__ import annotations

from benchmarks import crowd
from conftest import AS_OF
from relay.identity import Role
from relay.ui.pages import open_to


def test_a_small_crowd_opens_every_page_without_an_error(fixture_path):
    result = crowd.run(fixture_path, sessions=2, pause=0.0, seconds=120, rounds=1,
                       today=AS_OF.isoformat(), timeout=60)
    assert result["error_examples"] == []
    assert result["errors"] == 0
    # Served on loopback without sign-in: at least every page a viewer may open.
    assert len(result["pages_offered"]) >= len(open_to(Role.VIEWER))
    ran = {page for page, figures in result["pages"].items() if figures["runs"]}
    assert set(result["pages_offered"]) <= ran
    assert all(figures["runs"] == 2 for page, figures in result["pages"].items()
               if page in result["pages_offered"])
    assert result["server_rss_peak_mb"][0] > 0
