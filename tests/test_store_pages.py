"""The dashboard on a store that fails DuckDB's checks: a message on every page, never a
traceback, nothing written; an admin restores a backup from there or the Data page."""

import re

from streamlit.testing.v1 import AppTest

from conftest import AS_OF, PROJECT_ROOT, corrupt
from relay import cli, handoff, store
from relay.ui import opened_store

TIMEOUT = 60


def app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()
    return at.switch_page(page).run() if page else at


def shown(elements) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", element.value) for element in elements)


def test_every_page_says_the_store_is_damaged_and_writes_nothing(app_env, fixture_path):
    corrupt(fixture_path)
    before = fixture_path.read_bytes()
    app_env(fixture_path, AS_OF)
    for page in (None, "app_pages/goals.py", "app_pages/data.py"):
        at = app(page)
        assert not at.exception, page
        assert f"The store {fixture_path} is damaged" in shown(at.error), page
        assert "relay restore" in shown(at.error)
        assert not at.metric
    assert fixture_path.read_bytes() == before
    assert not fixture_path.with_name(fixture_path.name + ".wal").exists()


def test_others_than_admins_read_that_an_admin_mends_it_and_not_where_it_is(app_env,
                                                                             fixture_path):
    corrupt(fixture_path)
    app_env(fixture_path, AS_OF)
    for role in ("viewer", "planner"):
        at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
        at.secrets = {"local": {"role": role}}
        at.run()
        assert not at.exception
        assert shown(at.error) == ("The store is damaged: some of its data fails DuckDB's "
                                   "checks, so nothing more is written to it. An admin "
                                   "restores the latest backup.")
        assert not at.file_uploader and not at.metric


def test_an_admin_restores_a_backup_in_place_of_a_damaged_store(app_env, fixture_path,
                                                                tmp_path, capsys):
    backup = tmp_path / "monday.duckdb"
    assert cli.main(["backup", "--db", str(fixture_path), "--output", str(backup)]) == 0
    corrupt(fixture_path)
    app_env(fixture_path, AS_OF)
    at = app()
    assert "is damaged" in shown(at.error)
    at.file_uploader(key="data_restore_file").set_value(
        ("monday.duckdb", backup.read_bytes(), "application/octet-stream"))
    at.run()
    at.button(key="data_restore_confirm").click().run()
    assert not at.exception
    assert not at.error, shown(at.error)
    assert at.session_state["shell_flash"][0].startswith("Restored monday.duckdb")
    kept = next(tmp_path.glob("fixture.duckdb.replaced-*"))
    assert store.damaged(fixture_path) is None
    # The dashboard holds the store again.
    cursor = opened_store.connection(str(fixture_path)).cursor()
    try:
        restored = cursor.execute("select actor, after from audit_log where action = "
                                  "'restore'").fetchall()
    finally:
        cursor.close()
    assert len(restored) == 1 and '"from": "monday.duckdb"' in restored[0][1]
    assert str(kept) in restored[0][1]
    assert at.metric  # the overview draws again, from the restored store
    # The inbox worker runs on the restored store's open connection (not one closed by the
    # restore), so the command line's hand-offs go on working.
    worker = handoff._workers[str(fixture_path.resolve())]
    assert worker.is_alive() and worker.connection is opened_store.connection(str(fixture_path))
    assert worker.connection.execute("select count(*) from audit_log where action = "
                                     "'restore'").fetchall() == [(1,)]


def test_a_bad_backup_uploaded_on_the_data_page_is_refused(app_env, fixture_path, tmp_path):
    app_env(fixture_path, AS_OF)
    at = app("app_pages/data.py")
    before = sorted(p.name for p in tmp_path.iterdir())
    at.file_uploader(key="data_restore_file").set_value(
        ("notes.duckdb", b"not a database" * 300, "application/octet-stream"))
    at.run()
    at.button(key="data_restore_confirm").click().run()
    assert not at.exception
    assert "is not a Revenue Relay store" in shown(at.error)
    assert "nothing was changed" in shown(at.error)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert at.metric or at.dataframe or at.tabs  # the Data page still works
