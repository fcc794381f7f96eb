"""python -m relay bench: how long the work that grows with the data takes, measured.

Measured so far: importing leads from CSV. The demo generator builds a company of the
chosen size; its people, campaigns and leads are exported to CSV with `relay export`'s own
code, and imported into an empty store the way `relay import` does it (read by DuckDB,
checked, written in one transaction). Each repetition starts from a fresh empty store.
"""

from __future__ import annotations

import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from relay import clock, demo, exporting, importing, store

REPETITIONS = 3


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_import(leads: int, folder: Path, repetitions: int = REPETITIONS) -> dict:
    source = folder / "source.duckdb"
    started = time.perf_counter()
    demo.build(source, demo.DemoSpec(as_of=clock.today(), leads=leads))
    build_seconds = time.perf_counter() - started
    files = {}
    connection = store.open_store(source, read_only=True)
    try:
        for table in ("people", "campaigns", "leads"):
            files[table] = folder / f"{table}.csv"
            exporting.export_table(connection.cursor(), table, "csv", files[table])
    finally:
        connection.close()
    timings = []
    for repetition in range(repetitions):
        target = folder / f"import-{repetition}.duckdb"
        connection = store.create(target)
        try:
            for table in ("people", "campaigns"):
                outcome = importing.run(connection, files[table], table, "bench")
                assert outcome.written, outcome.preview.summary()
            started = time.perf_counter()
            outcome = importing.run(connection, files["leads"], "leads", "bench")
            timings.append(time.perf_counter() - started)
            assert outcome.written and outcome.preview.inserted == leads, \
                outcome.preview.summary()
        finally:
            connection.close()
        target.unlink()
    return {
        "leads": leads,
        "csv_megabytes": round(files["leads"].stat().st_size / 2**20, 1),
        "demo_build_seconds": round(build_seconds, 2),
        "import_seconds_median": round(statistics.median(timings), 2),
        "import_seconds_all": [round(t, 2) for t in timings],
        "leads_per_second": round(leads / statistics.median(timings)),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def run(leads: int, json_path: Path | None, repetitions: int = REPETITIONS) -> dict:
    with tempfile.TemporaryDirectory(prefix="relay-bench-") as folder:
        results = {"import_leads_csv": measure_import(leads, Path(folder), repetitions)}
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2))
    return results


def table(results: dict) -> str:
    imported = results["import_leads_csv"]
    rows = [
        ("leads", f"{imported['leads']:,}"),
        ("leads CSV", f"{imported['csv_megabytes']:,} MB"),
        ("demo build", f"{imported['demo_build_seconds']} s"),
        ("import leads CSV (median)", f"{imported['import_seconds_median']} s  "
                                      f"({', '.join(map(str, imported['import_seconds_all']))})"),
        ("leads per second", f"{imported['leads_per_second']:,}"),
        ("peak RSS", f"{imported['peak_rss_mb']:,} MB"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
