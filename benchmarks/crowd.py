"""python -m benchmarks.crowd: a crowd of viewers on the real server, over its websocket.

Starts the dashboard as it is deployed (`streamlit run serve.py`, on a free loopback port,
on a given store) and drives N sessions at once over Streamlit's own protocol (BackMsg and
ForwardMsg over /_stcore/stream, with the `websockets` client its server, uvicorn, brings).
Each session opens every page of the navigation in a seeded order with seeded filters
(quarter, region, segment), pausing between pages as a person reads (`--pause` seconds,
from half to one and a half times that, seeded); `--burst` drops the pauses. The run is
bounded (`--seconds`): sessions go round the pages until then, and a page run still going
at the end is waited for.

A page run is timed from the request to the server's script_finished for it; an exception
element, an error alert, a compile error, a closed connection or no answer within
`--timeout` is an error. Reported: errors, p50 and p95 per page, page runs per second and
the server's RSS (peak, sampled), as a table and (`--json`) as JSON.

`--servers 2` starts a second server on its own copy of the store (DuckDB lets one process
open a store file; a second is refused, even read-only) and splits the sessions between
them. `--profile FILE` runs the server with each page run under cProfile and writes the
merged statistics to FILE (and a summary by package to the report).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import json
import os
import pstats
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relay import PROJECT_ROOT

TIMEOUT = 120.0
QUARTERS = ("", "2026-Q3", "2026-Q4", "2027-Q1", "2026-Q2")
REGIONS = ("", "", "NA", "EMEA", "APAC", "LATAM")
SEGMENTS = ("", "", "", "Enterprise", "Mid-Market", "SMB")
TARGETS = {"p95_seconds_at_50": 2.0, "burst_page_runs_per_second": 10.0}


# -- The server ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    store: Path
    profile: Path | None = None
    rss_peak_mb: float = 0.0

    def rss_mb(self) -> float:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0.0
        kb = next(int(line.split()[1]) for line in status.splitlines()
                  if line.startswith("VmRSS:"))
        return kb / 1024

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(store: Path, today: str | None, profile: Path | None = None) -> Server:
    """`streamlit run serve.py` on a free loopback port, answering /_stcore/health."""
    port = free_port()
    env = {**os.environ, "RELAY_DB": str(store)}
    if today:
        env["RELAY_TODAY"] = today
    command = [sys.executable, "-m", "benchmarks.crowd", "--serve-profiled", str(profile)] \
        if profile else [sys.executable, "-m", "streamlit"]
    command += ["run", str(PROJECT_ROOT / "serve.py"), "--server.port", str(port),
                "--server.address", "127.0.0.1", "--server.headless", "true",
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log = open(tempfile.mktemp(prefix="crowd-server-", suffix=".log"), "w")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                        timeout=2) as answer:
                if answer.status == 200:
                    return Server(process, port, store, profile)
        except OSError:
            time.sleep(0.2)  # the server is still starting: not a test, a poll
    process.kill()
    raise RuntimeError(f"the server did not answer within {TIMEOUT:.0f} s; see {log.name}")


def serve_profiled(output: Path, streamlit_args: list[str]) -> None:
    """Run Streamlit's command line with every script run under its own cProfile, merged
    into `output` every few runs and at exit."""
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web import cli

    merged: list[pstats.Stats] = []
    lock = threading.Lock()
    runs = [0]
    original = script_runner.ScriptRunner._run_script

    def write() -> None:
        with lock:
            if merged:
                merged[0].dump_stats(str(output))

    def profiled(self, rerun_data):
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            return original(self, rerun_data)
        finally:
            profiler.disable()
            with lock:
                if merged:
                    merged[0].add(profiler)
                else:
                    merged.append(pstats.Stats(profiler))
                runs[0] += 1
                due = runs[0] % 20 == 0
            if due:
                write()

    script_runner.ScriptRunner._run_script = profiled

    def stop(*_):
        write()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    sys.argv = ["streamlit", *streamlit_args]
    try:
        cli.main()
    finally:
        write()


# -- One session -----------------------------------------------------------------------------

@dataclass
class Run:
    page: str
    seconds: float
    error: str | None = None


@dataclass
class Session:
    number: int
    server: Server
    pause: float
    deadline: float
    timeout: float
    rng: random.Random
    # Rounds of every page to go (None: as many as fit before the deadline).
    rounds: int | None = None
    runs: list[Run] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    async def drive(self) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from websockets.asyncio.client import connect

        url = f"ws://127.0.0.1:{self.server.port}/_stcore/stream"
        try:
            socket_ = await asyncio.wait_for(connect(url, max_size=None, compression=None),
                                             self.timeout)
        except Exception as error:  # noqa: BLE001 - a refused session is a reported error
            self.runs.append(Run("(connect)", 0.0, f"connect: {error}"))
            return
        try:
            pages = await self._first_run(socket_, BackMsg)
            self.pages = [name for name, _ in pages]
            rounds = 0
            while pages and time.monotonic() < self.deadline and rounds != self.rounds:
                rounds += 1
                for name, script_hash in self.rng.sample(pages, len(pages)):
                    if time.monotonic() >= self.deadline:
                        break
                    if self.pause:
                        await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.pause)
                    run = await self._page_run(socket_, BackMsg, name, script_hash)
                    self.runs.append(run)
                    if run.error and run.error.startswith("closed"):
                        return
        finally:
            await socket_.close()

    def _query(self) -> str:
        pairs = [("quarter", self.rng.choice(QUARTERS)), ("region", self.rng.choice(REGIONS)),
                 ("segment", self.rng.choice(SEGMENTS))]
        return "&".join(f"{key}={value}" for key, value in pairs if value)

    async def _first_run(self, socket_, back_msg) -> list[tuple[str, str]]:
        """Open the app (its default page) and read the pages its navigation offers."""
        if self.pause:  # people arrive over the first pause, not all at one instant
            await asyncio.sleep(self.rng.uniform(0, self.pause))
        pages: list[tuple[str, str]] = []
        run = await self._page_run(socket_, back_msg, "(open)", "", pages)
        self.runs.append(run)
        return pages

    async def _page_run(self, socket_, back_msg, name: str, script_hash: str,
                        pages: list | None = None) -> Run:
        from streamlit.proto.Alert_pb2 import Alert
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = back_msg()
        message.rerun_script.query_string = self._query()
        message.rerun_script.page_script_hash = script_hash
        message.rerun_script.widget_states.SetInParent()
        started = time.monotonic()
        from websockets.exceptions import ConnectionClosed

        error = None
        try:
            await socket_.send(message.SerializeToString())
        except ConnectionClosed:
            return Run(name, 0.0, "closed by the server")
        while True:
            left = started + self.timeout - time.monotonic()
            try:
                raw = await asyncio.wait_for(socket_.recv(), max(left, 0.001))
            except TimeoutError:
                return Run(name, time.monotonic() - started, f"no answer in {self.timeout:g} s")
            except ConnectionClosed:
                return Run(name, time.monotonic() - started, "closed by the server")
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "navigation" and pages is not None:
                pages[:] = [(page.url_pathname or page.page_name.lower().replace(" ", "_"),
                             page.page_script_hash) for page in forward.navigation.app_pages]
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                shown = element.WhichOneof("type")
                if shown == "exception":
                    error = error or f"exception: {element.exception.message[:120]}"
                elif shown == "alert" and element.alert.format == Alert.ERROR:
                    error = error or f"error: {element.alert.body[:120]}"
            elif kind == "session_event" and forward.session_event.WhichOneof("type") == \
                    "script_compilation_exception":
                error = error or "compile error"
            elif kind == "script_finished":
                status = forward.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the page asked for a rerun: its run is the next one
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    error = error or "compile error"
                if status != ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                    return Run(name, time.monotonic() - started, error)


# -- The crowd -------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _crowd(servers: list[Server], sessions: int, pause: float, seconds: float,
                 timeout: float, seed: int, rounds: int | None
                 ) -> tuple[list[Session], float]:
    started = time.monotonic()
    deadline = started + seconds
    crowd = [Session(number, servers[number % len(servers)], pause, deadline, timeout,
                     random.Random(f"{seed}-{number}"), rounds) for number in range(sessions)]

    async def sample_rss() -> None:
        while True:
            for server in servers:
                server.rss_peak_mb = max(server.rss_peak_mb, server.rss_mb())
            await asyncio.sleep(0.5)

    sampler = asyncio.ensure_future(sample_rss())
    try:
        await asyncio.gather(*(session.drive() for session in crowd))
    finally:
        sampler.cancel()
    return crowd, time.monotonic() - started


def summary(crowd: list[Session], elapsed: float, servers: list[Server],
            settings: dict[str, Any]) -> dict[str, Any]:
    by_page: dict[str, list[Run]] = defaultdict(list)
    for session in crowd:
        for run in session.runs:
            by_page[run.page].append(run)
    pages = {}
    for page, runs in sorted(by_page.items()):
        done = [run.seconds for run in runs if not run.error]
        pages[page] = {"runs": len(runs), "errors": sum(1 for run in runs if run.error),
                       "p50_ms": None if not done else round(1000 * statistics.median(done)),
                       "p95_ms": None if not done else round(1000 * percentile(done, 0.95))}
    every = [run for runs in by_page.values() for run in runs]
    done = [run.seconds for run in every if not run.error]
    errors = [run.error for run in every if run.error]
    return {
        **settings,
        "seconds": round(elapsed, 1),
        "page_runs": len(every),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "page_runs_per_second": round(len(done) / elapsed, 2) if elapsed else None,
        "p50_ms": None if not done else round(1000 * statistics.median(done)),
        "p95_ms": None if not done else round(1000 * percentile(done, 0.95)),
        "server_rss_peak_mb": [round(server.rss_peak_mb) for server in servers],
        "pages_offered": sorted({page for session in crowd for page in session.pages}),
        "pages": pages,
    }


def table(result: dict[str, Any]) -> str:
    pace = "burst" if not result["pause"] else f"pauses ~{result['pause']:g} s"
    lines = [f"{result['sessions']} sessions on {result['servers']} server(s), {pace}, "
             f"{result['seconds']:g} s: {result['page_runs']} page runs, "
             f"{result['errors']} errors, {result['page_runs_per_second']} page runs/s, "
             f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
             f"server RSS peak {', '.join(map(str, result['server_rss_peak_mb']))} MB",
             f"{'page':<12} {'runs':>5} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8}"]
    for page, figures in result["pages"].items():
        lines.append(f"{page:<12} {figures['runs']:>5} {figures['errors']:>6} "
                     f"{figures['p50_ms'] or '-':>8} {figures['p95_ms'] or '-':>8}")
    for example in result["error_examples"]:
        lines.append(f"  error: {example}")
    return "\n".join(lines)


def profile_summary(path: Path, top: int = 12) -> dict[str, Any]:
    """Where the server's page runs spent their time: own time by package, and the
    functions with the most cumulative time."""
    stats = pstats.Stats(str(path))
    own: dict[str, float] = defaultdict(float)
    for (file, _, _), (_, _, own_time, _, _) in stats.stats.items():
        own[_package(file)] += own_time
    total = sum(own.values()) or 1.0
    cumulative = sorted(((value[3], f"{Path(key[0]).name}:{key[1]}({key[2]})")
                         for key, value in stats.stats.items()), reverse=True)
    return {
        "own_seconds_by_package": {name: round(seconds, 2) for name, seconds in
                                   sorted(own.items(), key=lambda item: -item[1])[:top]},
        "own_share_by_package": {name: round(seconds / total, 3) for name, seconds in
                                 sorted(own.items(), key=lambda item: -item[1])[:top]},
        "top_cumulative": [f"{seconds:.2f} s {name}" for seconds, name in cumulative[:30]],
    }


def _package(file: str) -> str:
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1].split("/", 1)[0]
    if str(PROJECT_ROOT) in file:
        return "ours: " + file.split(str(PROJECT_ROOT) + "/", 1)[1].split("/", 1)[0]
    return "python" if file.startswith(("/usr", "<")) or "lib/python3" in file else file


def run(store: Path, sessions: int, pause: float, seconds: float, *, servers: int = 1,
        timeout: float = TIMEOUT, seed: int = 1, today: str | None = None,
        profile: Path | None = None, rounds: int | None = None) -> dict[str, Any]:
    """Start the server(s), drive the crowd, stop them; the results."""
    copies: list[Path] = []
    started: list[Server] = []
    try:
        for number in range(servers):
            path = store
            if number:  # DuckDB: one process per store file, so a copy of its own
                path = Path(tempfile.mkdtemp(prefix="crowd-")) / store.name
                shutil.copyfile(store, path)
                copies.append(path)
            started.append(start_server(path, today, profile if number == 0 else None))
        # In a thread of its own: the caller may already run an event loop (Playwright's,
        # in a test process), and asyncio.run refuses to start inside one.
        with ThreadPoolExecutor(1) as own_loop:
            crowd, elapsed = own_loop.submit(asyncio.run, _crowd(
                started, sessions, pause, seconds, timeout, seed, rounds)).result()
    finally:
        for server in started:
            server.stop()
        for copy in copies:
            shutil.rmtree(copy.parent, ignore_errors=True)
    result = summary(crowd, elapsed, started, {
        "store": str(store), "sessions": sessions, "pause": pause, "servers": servers,
        "seed": seed, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
    if profile and profile.exists():
        result["profile"] = profile_summary(profile)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve-profiled"]:
        serve_profiled(Path(argv[1]), argv[2:])
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.crowd", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="the store to serve")
    parser.add_argument("--sessions", type=int, nargs="+", default=[10],
                        help="crowd sizes, run one after the other (default 10)")
    parser.add_argument("--pause", type=float, default=5.0,
                        help="seconds a person reads a page, on average (default 5)")
    parser.add_argument("--burst", action="store_true", help="no pauses")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each run")
    parser.add_argument("--servers", type=int, default=1,
                        help="server processes, each on its own copy of the store")
    parser.add_argument("--rounds", type=int,
                        help="stop each session after this many rounds of the pages")
    parser.add_argument("--timeout", type=float, default=TIMEOUT)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", help="pin the server's today (RELAY_TODAY)")
    parser.add_argument("--profile", type=Path, help="cProfile the server's page runs here")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = []
    for sessions in args.sessions:
        result = run(args.db, sessions, 0.0 if args.burst else args.pause, args.seconds,
                     servers=args.servers, timeout=args.timeout, seed=args.seed,
                     today=args.today, profile=args.profile, rounds=args.rounds)
        print(table(result), flush=True)
        if "profile" in result:
            print(json.dumps(result["profile"], indent=1))
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps({"crowd": results}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
