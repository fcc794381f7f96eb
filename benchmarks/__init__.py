"""The benchmark of the dashboard at scale (bench) and its naive reference (naive): tools
for measuring relay, not part of it. Run: python -m benchmarks.bench --help."""
