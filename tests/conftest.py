"""Shared fixtures: a small hand-built store whose every figure is worked out in the tests,
and small demo stores. Each store is built once per session (a template) and every test gets
a copy of the file of its own."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

# PROJECT_ROOT: the tests import it from here.
from relay import PROJECT_ROOT, demo, identity, store, summaries  # noqa: F401
from relay.identity import Actor, ActorKind, Role

AS_OF = dt.date(2026, 8, 15)  # mid 2026-Q3


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


PEOPLE = [
    # person_id, name, email, team, title, region, segment, manager_id
    ("P1", "Mia Manager", "mia@example.com", "sales", "Sales Director", "NA", None, None),
    ("P2", "Ann Rep", "ann@example.com", "sales", "Account Executive", "NA", "SMB", "P1"),
    ("P3", "Bob Rep", "bob@example.com", "sales", "Account Executive", "EMEA", "Enterprise",
     "P1"),
    ("P4", "Max Marketer", "max@example.com", "marketing", "Field Marketing", "NA", None, None),
]

CAMPAIGNS = [
    ("C1", "NA SMB webinar", "Webinar", "NA", "SMB", "P4", "completed", _d("2026-06-15"),
     _d("2026-07-15"), 5000, 4000, 100, "A webinar"),
    ("C2", "EMEA event", "Events", "EMEA", "Enterprise", "P4", "planned", _d("2026-09-20"),
     _d("2026-09-22"), 20000, None, 50, "An event"),
]

LEADS = [
    # lead_id, campaign_id, source, region, segment, created_at, stage, mql_at, sal_at,
    # sql_at, first_touch_at, owner_id, disqualify_reason
    ("L1", "C1", "Webinar", "NA", "SMB", _t("2026-07-02 10:00"), "opportunity",
     _t("2026-07-03 10:00"), _t("2026-07-04 10:00"), _t("2026-07-10 10:00"),
     _t("2026-07-03 12:00"), "P2", None),
    ("L2", "C1", "Webinar", "NA", "SMB", _t("2026-06-20 10:00"), "sal",
     _t("2026-06-25 10:00"), _t("2026-07-01 09:00"), None, _t("2026-06-26 10:00"), "P2", None),
    ("L3", None, "Organic Search", "EMEA", "Enterprise", _t("2026-07-05 10:00"), "opportunity",
     _t("2026-07-06 10:00"), _t("2026-07-07 10:00"), _t("2026-08-01 10:00"),
     _t("2026-07-06 11:00"), "P3", None),
    ("L4", "C2", "Events", "EMEA", "Enterprise", _t("2026-09-30 10:00"), "mql",
     _t("2026-10-01 00:00"), None, None, None, None, None),
    ("L5", None, "Direct", "NA", "SMB", _t("2026-07-15 10:00"), "inquiry",
     None, None, None, None, None, None),
]

# deal_id, lead_id, account, owner, region, segment, amount, status, category, created, close
DEALS = [
    ("D1", "L1", "Acme", "P2", "NA", "SMB", 10_000, "won", "closed", _t("2026-07-12 09:00"),
     _d("2026-08-01")),
    ("D2", "L3", "Globex", "P3", "EMEA", "Enterprise", 50_000, "won", "closed",
     _t("2026-05-01 09:00"), _d("2026-08-14")),
    ("D3", None, "Initech", "P2", "NA", "SMB", 20_000, "lost", "omitted",
     _t("2026-07-20 09:00"), _d("2026-08-10")),
    ("D4", None, "Umbrella", "P2", "NA", "SMB", 30_000, "open", "commit",
     _t("2026-07-01 00:00"), _d("2026-09-15")),
    ("D5", None, "Hooli", "P3", "EMEA", "Enterprise", 40_000, "open", "pipeline",
     _t("2026-08-01 09:00"), _d("2026-09-30")),
    ("D6", None, "Vandelay", "P2", "NA", "SMB", 5_000, "open", "omitted",
     _t("2026-07-02 09:00"), _d("2026-09-01")),
    ("D7", None, "Stark", "P2", "NA", "SMB", 7_000, "won", "closed",
     _t("2026-06-01 09:00"), _d("2026-06-30")),
    ("D8", None, "Wayne", "P3", "EMEA", "Enterprise", 15_000, "open", "best_case",
     _t("2026-07-15 09:00"), _d("2026-11-01")),
    # Closed in the four quarters before 2026-Q3 (2025-Q3 to 2026-Q2): they set the win
    # rates. H5 closed before that window and must not count.
    ("H1", None, "Old 1", "P2", "NA", "SMB", 1_000, "won", "closed", _t("2025-12-01 09:00"),
     _d("2026-03-01")),
    ("H2", None, "Old 2", "P2", "NA", "SMB", 2_000, "lost", "omitted", _t("2025-12-01 09:00"),
     _d("2026-02-01")),
    ("H3", None, "Old 3", "P2", "NA", "SMB", 3_000, "won", "closed", _t("2025-10-01 09:00"),
     _d("2025-12-01")),
    ("H4", None, "Old 4", "P2", "NA", "SMB", 4_000, "lost", "omitted", _t("2025-06-01 09:00"),
     _d("2025-08-01")),
    ("H5", None, "Old 5", "P2", "NA", "SMB", 5_000, "won", "closed", _t("2025-03-01 09:00"),
     _d("2025-05-01")),
    ("H6", None, "Old 6", "P2", "NA", "SMB", 6_000, "won", "closed", _t("2026-02-01 09:00"),
     _d("2026-04-10")),
]

# The open categories each closed deal held before it closed.
CATEGORIES_HELD = {
    "H1": ["pipeline", "commit"],
    "H2": ["pipeline", "commit"],
    "H3": ["pipeline", "best_case"],
    "H4": ["pipeline"],
    "H5": ["pipeline", "commit"],
    "H6": ["pipeline", "commit"],
}

# Deals whose close date moved: (close date before, when it moved). D8 was due in Q3 until
# the rep slipped it to Q4 on 5 August.
SLIPPED = {"D8": (_d("2026-09-20"), _t("2026-08-05 09:00"))}

GOALS = [
    # quarter, metric, region, segment, target, owner_team
    ("2026-Q3", "revenue", None, None, 200_000, "shared"),
    ("2026-Q3", "revenue", "NA", None, 120_000, "shared"),
    ("2026-Q3", "mqls", None, None, 10, "marketing"),
    ("2026-Q3", "sqls", None, None, 4, "sales"),
    ("2026-Q3", "win_rate", None, None, 0.5, "sales"),
    ("2026-Q3", "nps", None, None, 50, "shared"),  # a metric with no definition
    ("2026-Q2", "revenue", None, None, 150_000, "shared"),
]

SUBMISSIONS = [
    ("2026-Q3", "P2", _t("2026-08-03 10:00"), 30_000, 45_000),
    ("2026-Q3", "P2", _t("2026-08-10 10:00"), 35_000, 50_000),
    ("2026-Q3", "P2", _t("2026-08-17 10:00"), 99_000, 120_000),  # after the cut-off
    ("2026-Q3", "P3", _t("2026-08-04 10:00"), 40_000, 60_000),
    ("2026-Q3", "P1", _t("2026-08-05 10:00"), 500_000, 600_000),  # a manager: not rolled up
    ("2026-Q2", "P2", _t("2026-05-04 10:00"), 1_000, 2_000),
]


def fill_fixture(connection) -> None:
    """The hand-built company of the tests."""
    connection.executemany("insert into people values (?, ?, ?, ?, ?, ?, ?, ?)", PEOPLE)
    connection.executemany(
        "insert into campaigns (campaign_id, name, channel, region, segment, owner_id, status,"
        " start_date, end_date, budget, actual_cost, expected_leads, description)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", CAMPAIGNS
    )
    connection.executemany(
        "insert into leads (lead_id, campaign_id, source, region, segment, created_at, stage,"
        " mql_at, sal_at, sql_at, first_touch_at, owner_id, disqualify_reason)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", LEADS
    )
    connection.executemany(
        "insert into deals values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", DEALS
    )
    history = []
    for deal in DEALS:
        deal_id, amount, status, category, created, close = (
            deal[0], deal[6], deal[7], deal[8], deal[9], deal[10]
        )
        held = CATEGORIES_HELD.get(deal_id, [category] if status == "open" else ["pipeline"])
        first_close, slipped_at = SLIPPED.get(deal_id, (close, None))
        for step, open_category in enumerate(held):
            history.append((deal_id, created + dt.timedelta(days=step), amount, "open",
                            open_category, first_close))
        if slipped_at is not None:
            history.append((deal_id, slipped_at, amount, "open", held[-1], close))
        if status != "open":
            history.append((deal_id, dt.datetime.combine(close, dt.time(12)), amount, status,
                            category, close))
    connection.executemany("insert into deal_history values (?, ?, ?, ?, ?, ?)", history)
    connection.executemany(
        "insert into goals (quarter, metric, region, segment, target, owner_team, updated_by,"
        " updated_at) values (?, ?, ?, ?, ?, ?, 'test', '2026-06-20 10:00')",
        GOALS,
    )
    connection.executemany(
        "insert into forecast_submissions values (?, ?, ?, ?, ?)", SUBMISSIONS
    )
    summaries.refresh(connection, ["deals", "deal_history", "leads"])


# Creating and migrating a store, and filling it, took most of the time of the tests that use
# one; each is built once per session here and every test gets its own copy of the file.


def finished_template(connection: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Checkpoint and close the template's connection: the file alone then holds every write,
    so that a copy of it (without a .wal beside it) is the whole store."""
    store.checkpoint_and_close(connection)
    assert not Path(f"{path}.wal").exists(), f"{path} kept a write-ahead log"
    return path


def copy_store(template: Path, path: Path) -> Path:
    """A store of its own at `path`, a copy of `template`; like store.create, never over an
    existing file."""
    path = Path(path)
    if path.exists():
        raise store.StoreError(f"{path} already exists; it was left as it is.")
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return path


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory) -> Path:
    """An empty store with the latest schema, as store.create leaves it."""
    path = tmp_path_factory.mktemp("templates") / "empty.duckdb"
    return finished_template(store.create(path), path)


@pytest.fixture(scope="session")
def fixture_template(tmp_path_factory) -> Path:
    """The hand-built company (fill_fixture) in a new store."""
    path = tmp_path_factory.mktemp("templates") / "fixture.duckdb"
    connection = store.create(path)
    fill_fixture(connection)
    return finished_template(connection, path)


@pytest.fixture(scope="session")
def deals_only_template(tmp_path_factory) -> Path:
    """A company that brought only its deals (a CRM opportunities export): the fixture's
    people and deals, no lead behind any deal, and no leads, campaigns, goals, forecasts or
    deal history."""
    path = tmp_path_factory.mktemp("templates") / "deals-only.duckdb"
    connection = store.create(path)
    connection.executemany("insert into people values (?, ?, ?, ?, ?, ?, ?, ?)", PEOPLE)
    connection.executemany("insert into deals values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [(deal[0], None, *deal[2:]) for deal in DEALS])
    summaries.refresh(connection, ["deals", "deal_history"])
    return finished_template(connection, path)


@pytest.fixture(scope="session")
def untouched_template(tmp_path_factory, fixture_template) -> Path:
    """The fixture company, its leads exported without first-touch dates."""
    path = tmp_path_factory.mktemp("templates") / "untouched.duckdb"
    copy_store(fixture_template, path)
    connection = store.open_store(path)
    connection.execute("update leads set first_touch_at = null")
    summaries.refresh(connection, ["leads"])  # by hand: what the store holds changed
    return finished_template(connection, path)


@pytest.fixture
def deals_only_path(tmp_path: Path, deals_only_template: Path) -> Path:
    return copy_store(deals_only_template, tmp_path / "deals-only.duckdb")


@pytest.fixture
def untouched_path(tmp_path: Path, untouched_template: Path) -> Path:
    return copy_store(untouched_template, tmp_path / "untouched.duckdb")


@pytest.fixture
def new_store(empty_template):
    """What `store.create(path).close()` leaves at `path`, without migrating again: a copy
    of the empty template. For the tests that need more than one empty store, or one at a
    path of their choosing."""
    return lambda path: copy_store(empty_template, path)


@pytest.fixture
def empty_path(tmp_path: Path, empty_template: Path) -> Path:
    return copy_store(empty_template, tmp_path / "empty.duckdb")


@pytest.fixture
def fixture_path(tmp_path: Path, fixture_template: Path) -> Path:
    return copy_store(fixture_template, tmp_path / "fixture.duckdb")


@pytest.fixture
def fixture_cursor(fixture_path: Path):
    connection = store.open_store(fixture_path)
    yield connection.cursor()
    connection.close()


@pytest.fixture(scope="session")
def handoff_template(tmp_path_factory, fixture_template) -> Path:
    """The hand-built company with what the hand-off views need besides: a free campaign,
    a lead whose dates are out of order and an MQL nobody has called."""
    path = copy_store(fixture_template, tmp_path_factory.mktemp("templates") / "fixture.duckdb")
    connection = store.open_store(path)
    connection.execute(
        "insert into campaigns (campaign_id, name, channel, region, segment, owner_id, status,"
        " start_date, end_date, budget, actual_cost, expected_leads) values ('C3',"
        " 'Free newsletter', 'Email Nurture', 'NA', 'SMB', 'P4', 'completed', '2026-07-20',"
        " '2026-07-31', 0, 0, 20)")
    connection.executemany(
        "insert into leads (lead_id, campaign_id, source, region, segment, created_at, stage,"
        " mql_at, sal_at, sql_at, first_touch_at, owner_id) values (?, ?, ?, 'NA', 'SMB', ?,"
        " ?, ?, ?, null, ?, 'P2')",
        [
            # Accepted and touched before it became an MQL: dates out of order.
            ("L6", "C1", "Webinar", dt.datetime(2026, 7, 20, 9), "sal",
             dt.datetime(2026, 7, 22, 10), dt.datetime(2026, 7, 21, 9),
             dt.datetime(2026, 7, 21, 9)),
            # An MQL nobody has called.
            ("L7", "C3", "Email Nurture", dt.datetime(2026, 7, 25, 9), "mql",
             dt.datetime(2026, 7, 26, 10), None, None),
        ],
    )
    summaries.refresh(connection, ["leads"])  # as a leads import would, the funnel's months
    return finished_template(connection, path)


@pytest.fixture
def handoff_path(tmp_path: Path, handoff_template: Path) -> Path:
    return copy_store(handoff_template, tmp_path / "fixture.duckdb")


def by(name: str, write, *args, **kwargs):
    """Call a write function as the local user `name` with every right: the audit log
    records them. The role tests narrow the role."""
    with identity.acting_as(Actor(name, Role.ADMIN, how=ActorKind.LOCAL)):
        return write(*args, **kwargs)


# What the AppTests run as unless a test says otherwise (at.secrets): the local user with
# every right, so that each page's test reaches all of it. The role tests narrow it.
TEST_SECRETS = """
[local]
role = "admin"
"""


@pytest.fixture(scope="session", autouse=True)
def stores_closed_quietly():
    """The stores the AppTests opened are held until the session ends, then checkpointed and
    closed as a stopping dashboard would, without a server-log line for each."""
    yield
    from relay import serving

    logging.getLogger("relay").setLevel(logging.WARNING)
    serving.stop()


@pytest.fixture(scope="session", autouse=True)
def hermetic_secrets(tmp_path_factory) -> Path:
    """The dashboard reads these secrets in every test, never the machine's own
    .streamlit/secrets.toml (a developer's sign-in would change what the tests see)."""
    from streamlit import config

    path = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    path.write_text(TEST_SECRETS)
    config.set_option("secrets.files", [str(path)])
    return path


DEMO_AS_OF = dt.date(2026, 11, 22)
DEMO_LEADS = 20_000


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    """A small demo store shared by the session: open it read-only, and copy it
    (copy_store) to write to it or to serve it (the dashboard's connection stays open, and
    DuckDB refuses a second configuration of one file in a process)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path, demo.DemoSpec(seed=7, as_of=DEMO_AS_OF, leads=DEMO_LEADS))
    return path


@pytest.fixture
def fixture_today(monkeypatch):
    """Today pinned to the fixture's AS_OF (2026-Q3 current), as the app would be pinned:
    goal writes refuse closed quarters by today's date, not the tests' as_of argument."""
    monkeypatch.setenv("RELAY_TODAY", AS_OF.isoformat())


@pytest.fixture
def app_env(monkeypatch):
    """Point the app at a store and pin its today."""

    def use(path: Path, today: dt.date) -> None:
        monkeypatch.setenv("RELAY_DB", str(path))
        monkeypatch.setenv("RELAY_TODAY", today.isoformat())

    return use


HEADER_BYTES = 3 * 4096  # DuckDB's file header and two database headers, before block 0


def corrupt(path: Path, table: str = "leads") -> None:
    """Flip 4 KB of the block that holds `table`'s rows (in the fixture store, near the middle
    of the file), as a failing disk would, and check that DuckDB now refuses to read it."""
    check = duckdb.connect(str(path), read_only=True)
    try:
        block_size = check.execute(
            "select block_size from pragma_database_size()").fetchall()[0][0]
        block, offset = check.execute(
            f"select block_id, min(block_offset) from pragma_storage_info('{table}') "
            "where block_id >= 0 group by block_id order by block_id limit 1").fetchall()[0]
    finally:
        check.close()
    start = HEADER_BYTES + block * block_size + 8 + offset  # 8: the block's own checksum
    with path.open("r+b") as handle:
        handle.seek(start)
        data = handle.read(4096)
        handle.seek(start)
        handle.write(bytes(byte ^ 0xFF for byte in data))
    reader = duckdb.connect(str(path), read_only=True)
    try:
        with pytest.raises(duckdb.Error, match="Corrupt database file"):
            reader.execute(f"select sum(hash(t)) from {table} t").fetchall()
    finally:
        reader.close()


STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve_dashboard(store_path: Path, root: Path, secrets: str, port: int | None = None,
                    today: str = AS_OF.isoformat(), user: str = "served.test@example.com",
                    entry: str = "serve.py"):
    """`streamlit run serve.py` (or `entry`) on `store_path` on a free port (or `port`), with
    `secrets` as its secrets.toml (the machine's own is never read); yields (process, url,
    log path) once it answers its health check. Stopped with SIGTERM if still running at
    the end."""
    port = port or free_port()
    secrets_path = root / "secrets.toml"
    secrets_path.write_text(secrets)
    log_path = root / "serve.log"
    env = {**os.environ, "RELAY_DB": str(store_path), "RELAY_TODAY": today, "RELAY_USER": user}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", entry, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--server.fileWatcherType", "none", "--secrets.files", str(secrets_path)],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{entry} did not start: {log_path.read_text()}")
            time.sleep(0.2)
        yield process, url, log_path
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def import_until_writing(store_path: Path, file: Path, table: str) -> subprocess.Popen:
    """`relay import` of `file` in a process of its own, returned once it says it is writing
    (its stderr left to read)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "relay", "import", str(file), "--table", table, "--db",
         str(store_path)], cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in process.stderr:
        if line.startswith("Writing"):
            return process
    process.wait()
    pytest.fail("the import ended before it said it was writing")


def store_at_schema(path: Path, version: int) -> duckdb.DuckDBPyConnection:
    """A bare DuckDB file at `path` with the store's first `version` migrations, as an older
    Revenue Relay left it; open, for the caller to add rows and close."""
    connection = duckdb.connect(str(path))
    for number, description, migration in store.migrations()[:version]:
        connection.execute(migration.read_text())
        connection.execute("insert into schema_version values (?, ?, now())",
                           [number, description])
    return connection
