"""The Data page's uploads: kept in a folder of the user's own (one another user made is
refused), written 0600, deleted when their import ends (imported, refused or failed), and
swept a day later when never imported."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT
from relay import importing, private, store, uploads

HUBSPOT = PROJECT_ROOT / "data" / "samples" / "hubspot-deals.csv"
OTHER_UID = 65534  # nobody


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def foreign_folder(path: Path) -> Path:
    path.mkdir()
    os.chown(path, OTHER_UID, OTHER_UID)
    path.chmod(0o777)
    return path


@pytest.fixture
def temp_root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_uploads_are_kept_in_a_folder_of_the_users_own(temp_root):
    path = uploads.save(b"deal_id\nD1\n", ".CSV")
    assert path.parent == temp_root / f"revenue-relay-uploads-{os.getuid()}"
    assert mode(path.parent) == 0o700 and mode(path) == 0o600 and path.suffix == ".csv"
    assert uploads.save(b"deal_id\nD1\n", ".csv") == path  # a rerun reuses it


def test_an_upload_folder_another_user_made_is_refused(temp_root):
    folder = foreign_folder(temp_root / f"revenue-relay-uploads-{os.getuid()}")
    with pytest.raises(private.NotPrivate) as refused:
        uploads.save(b"deal_id\nD1\n", ".csv")
    assert str(folder) in str(refused.value) and "uid 65534" in str(refused.value)
    assert "mode 0777" in str(refused.value)
    assert list(folder.iterdir()) == []


def test_an_upload_never_imported_is_swept_a_day_later(temp_root):
    old = uploads.save(b"old\n", ".csv")
    recent = uploads.save(b"recent\n", ".csv")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    new = uploads.save(b"new\n", ".csv")
    assert not old.exists() and recent.exists() and new.exists()


def test_an_upload_is_deleted_when_its_import_ends(temp_root, fixture_path, monkeypatch):
    connection = store.open_store(fixture_path)
    try:
        imported = uploads.save(HUBSPOT.read_bytes(), ".csv")
        outcome = uploads.import_file(connection, imported, "deals", file_name="deals.csv",
                                      layout=None, expect=None)
        assert outcome.written and not imported.exists()

        refused = uploads.save(b"person_id,name,team\nP9,Ann,pirates\n", ".csv")
        outcome = uploads.import_file(connection, refused, "people", file_name="people.csv",
                                      layout=None, expect=None)
        assert not outcome.preview.ok and not refused.exists()

        # A write that fails in the import itself (a full disk is the store's failure: it
        # is refused as damaged and not recorded, see test_integrity).
        def write_fails(*args, **kwargs):
            raise duckdb.ConstraintException("Duplicate key \"person_id: P9\"")

        monkeypatch.setattr(importing, "_write", write_fails)
        failed = uploads.save(b"person_id,name,team\nP9,Ann,sales\n", ".csv")
        with pytest.raises(importing.ImportFailed):
            uploads.import_file(connection, failed, "people", file_name="people.csv",
                                layout=None, expect=None)
        assert not failed.exists()
        assert [outcome for (outcome,) in connection.execute(
            "select outcome from import_runs order by import_id").fetchall()] == [
            "imported", "refused", "failed"]
    finally:
        connection.close()
