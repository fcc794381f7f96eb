"""Folders and files only the user running Revenue Relay can touch.

The dashboard acts on what it finds in its inbox (imports, exports and backups, as an admin)
and keeps uploaded CRM exports on disk while they are previewed. So both folders are made
with mode 0700, and refused when they already exist but belong to another user or let
anyone else in (group or other permission bits): another local user could have made one
beforehand to plant requests or read the files. Files in them are written 0600.
"""

from __future__ import annotations

import json
import os
import pwd
import stat
import tempfile
from pathlib import Path
from typing import Any

from relay.store import StoreError


class NotPrivate(StoreError):
    """A folder that must be only the user's is not; nothing was read from or put in it."""


def _owner(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def check(path: Path, purpose: str) -> None:
    """Refuse (NotPrivate) an existing `path` that is not a folder only this user can use.
    FileNotFoundError when there is none."""
    info = os.lstat(path)
    mode = stat.S_IMODE(info.st_mode)
    me = os.getuid()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a folder"
        raise NotPrivate(f"{path} ({purpose}) is {what}, owned by {_owner(info.st_uid)}; it "
                         f"must be a folder only you can use. Remove it and try again.")
    if info.st_uid != me:
        raise NotPrivate(
            f"{path} ({purpose}) belongs to {_owner(info.st_uid)}, mode {mode:04o}, not to "
            f"you ({_owner(me)}): another user made it, and could have put requests or files "
            f"in it, so it is not used. Have it removed (e.g. `sudo rm -r {path}`) and try "
            f"again; it is then made anew, mode 0700.")
    if mode & 0o077:
        raise NotPrivate(
            f"{path} ({purpose}) is yours but mode {mode:04o}: other users may read or change "
            f"what is in it, so it is not used. Run `chmod 700 {path}` (or remove it) and try "
            f"again.")


def folder(path: Path, purpose: str) -> Path:
    """`path` as a folder only this user can use: made with mode 0700 if missing, refused
    (NotPrivate) if it exists and belongs to someone else or lets anyone else in."""
    path = Path(path)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    else:
        path.chmod(0o700)  # whatever the umask
    check(path, purpose)
    return path


def write_bytes(path: Path, data: bytes) -> None:
    """Write `path` (mode 0600) whole or not at all: a reader never sees half of it."""
    path = Path(path)
    handle, partial = tempfile.mkstemp(prefix=path.name + ".", suffix=".partial",
                                       dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def write_json(path: Path, payload: dict[str, Any]) -> None:
    write_bytes(path, json.dumps(payload, default=str).encode("utf-8"))
