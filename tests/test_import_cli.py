"""Issue #16: the stage mapping's half-filled rows are refused, naming the row and the
missing field, with nothing saved and no audit entry."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from relay import layouts, store

from conftest import PROJECT_ROOT, by


@pytest.fixture
def empty_path(tmp_path) -> Path:
    path = tmp_path / "empty.duckdb"
    store.create(path).close()
    return path


def _mapping(path: Path) -> list[dict]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return layouts.stage_mapping(connection.cursor())
    finally:
        connection.close()


def test_a_half_filled_stage_row_is_refused_naming_the_row_and_field(empty_path):
    connection = store.open_store(empty_path)
    try:
        seen = layouts.stage_mapping(connection.cursor())
        rows = [{key: row[key] for key in ("label", "status", "forecast_category")}
                for row in seen] + [{"label": "Won", "status": "won",
                                     "forecast_category": None}]
        with pytest.raises(layouts.LayoutError, match=(
                rf"row {len(seen) + 1} \(Won\): the forecast category is empty")):
            by("admin", layouts.save_stage_mapping, connection, rows, seen)
        assert layouts.stage_mapping(connection.cursor()) == seen
        assert connection.execute("select count(*) from audit_log").fetchall() == [(0,)]
    finally:
        connection.close()


def test_the_data_page_refuses_a_half_filled_stage_row(app_env, empty_path):
    app_env(empty_path, dt.date(2026, 11, 22))
    before = _mapping(empty_path)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at = at.switch_page("app_pages/data.py").run()
    count = len(at.data_editor[0].value)
    # A `required` column makes the browser's grid keep a half-filled new row to itself: the
    # save then went ahead without it. No column is required; the save checks every row.
    assert '"required"' not in at.data_editor[0].proto.columns
    at.session_state["data_stage_editor"] = {
        "edited_rows": {}, "added_rows": [{"label": "Won", "status": "won"}],
        "deleted_rows": []}
    at.run()
    [button for button in at.button if button.label == "Save the stage mapping"][0].click().run()
    assert not at.exception
    errors = " ".join(re.sub(r"\\(.)", r"\1", element.value) for element in at.error)
    assert f"row {count + 1} (Won): the forecast category is empty" in errors
    assert not at.success
    connection = store.open_store(empty_path)  # the app holds it open in this process
    try:
        assert connection.execute("select count(*) from audit_log").fetchall() == [(0,)]
        assert layouts.stage_mapping(connection.cursor()) == before
    finally:
        connection.close()
