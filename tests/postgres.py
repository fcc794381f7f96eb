"""A real PostgreSQL server for the shared-store tests: initdb into a temporary folder and
started on a free loopback port for the test session, stopped at its end. Each test gets a
database of its own (`shared_url`).

PostgreSQL refuses to run as root: as root (this machine, CI containers) the server runs as
the `postgres` system user that Debian's package creates. On CI (CI=true) missing
PostgreSQL binaries fail the tests with a message; elsewhere they are skipped.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest


def _bin_folder() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda path: int(path.parent.parent.name) if
                   path.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The address of the session's PostgreSQL server (its `postgres` database)."""
    binaries = _bin_folder()
    if binaries is None:
        message = ("PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin "
                   "or on PATH): install Debian's `postgresql` package (.ci/run does).")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="relay-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data = folder / "data"
    port = _free_port()
    subprocess.run(_as_server_user([str(binaries / "initdb"), "-D", str(data), "-A", "trust",
                                    "-U", "postgres", "--no-sync"]),
                   check=True, capture_output=True)
    # Durability is not what these tests check: no fsync keeps them fast.
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
               f"-c synchronous_commit=off -c full_page_writes=off")
    subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
                                    "-l", str(folder / "server.log"), "-w", "start"]),
                   check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m",
                                        "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


_numbers = itertools.count(1)


@pytest.fixture
def shared_url(postgres_server: str) -> str:
    """The address of a new, empty database on the session's server, for one test."""
    name = f"relay_test_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f"create database {name}")  # a name made here, never a user's text
    return postgres_server.rsplit("/", 1)[0] + f"/{name}"
