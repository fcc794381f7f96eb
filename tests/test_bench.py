"""A small-scale run of `python -m benchmarks.bench`, so that the benchmark keeps working: every
page measured cold, warm and from memory, with its queries, against the naive reference
(whose figures the bench checks against the pages'), and the import."""

import json
import subprocess
import sys

from benchmarks import bench
from relay import PROJECT_ROOT, drill
from relay.ui.pages import PAGES


def test_the_benchmark_runs_at_a_small_scale(capsys, tmp_path):
    output = tmp_path / "bench.json"
    # One store: the reference size is the measured one (the demo's size took as long again).
    code = bench.main(["--leads", "20000", "--reference-leads", "20000", "--import-leads",
                       "20000", "--repetitions", "1", "--folder", str(tmp_path / "stores"),
                       "--json", str(output)])
    out, err = capsys.readouterr()
    assert code == 0, err
    results = json.loads(output.read_text())
    assert results["build"]["leads"] == 20_000 and results["build"]["seconds"] > 0
    for measured in (results["app"], results["app_at_demo_size"]):
        assert set(measured["pages"]) == {page.name for page in PAGES}
        for by_filter in measured["pages"].values():
            assert set(by_filter) == set(bench.FILTERS)
            for run in by_filter.values():
                assert run["cold_ms"] > 0 and run["warm_ms"] > 0 and run["floor_ms"] > 0
        assert measured["peak_rss_mb"] > 0
    overview = results["app"]["pages"]["overview"]
    assert overview["region"]["query"] == {"region": results["app"]["region"]}
    assert "pipeline_snapshots" in overview["default"]["query_ms"]
    assert overview["default"]["queries_run"] >= len(overview["default"]["query_ms"])
    naive = results["naive"]["pages"]
    assert "closed_won" in naive["overview"]["default"]["figures_checked"]
    # The meeting's reference reads the deals and leads too: the review's actuals agree.
    assert "review.actual" in naive["meeting"]["default"]["figures_checked"]
    assert naive["meeting"]["default"]["load_ms"] > results["naive"]["load_ms"]["leads"]
    assert naive["forecast"]["region"]["total_ms"] > naive["forecast"]["region"]["compute_ms"]
    assert results["import_leads_csv"]["leads"] == 20_000
    checked = {check["check"] for check in results["checks"]}
    assert "overview (default) cold ms" in checked and "app peak RSS MB" in checked
    assert len(results["checks"]) == 5 * 2 * len(PAGES) + 4 + len(drill.DRILLS)
    drills = results["drill"]["drills"]
    assert set(drills) == set(drill.DRILLS)
    assert all(m["cold_ms"] > 0 and m["rows"] <= m["count"] for m in drills.values())
    assert "drill-downs of" in out
    assert results["import_leads_csv"]["import_peak_rss_mb"] > 0
    assert "targets:" in out and "slowest queries" in out


def test_a_store_of_the_same_size_is_reused(tmp_path):
    path, built = bench.demo_store(2_000, tmp_path)
    assert not built["reused"] and built["seconds"] > 0
    again, reused = bench.demo_store(2_000, tmp_path)
    assert again == path and reused == {"leads": 2_000, "reused": True}


def test_the_benchmark_runs_as_the_readme_says(tmp_path):
    # As `python -m benchmarks.bench`, the module is __main__: the import is measured in a
    # spawned child, which must still find the function it runs.
    output = tmp_path / "import.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--import-only", "--import-leads", "1000",
         "--repetitions", "1", "--json", str(output)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(output.read_text())["import_leads_csv"]["leads"] == 1_000
