"""Rebuild the marketing spend sample from marketing-campaigns-subset.csv (see README.md).

    .venv/bin/python tests/data/exports/make_marketing.py

Each row of the subset is one campaign: it starts on `Dates`, runs `Duration` days on
`Channel_Used`, and cost `Acquisition_Cost`. A marketer's spend sheet has one row per channel
and month: the costs of the channel's campaigns that start in that month, summed, written
as a spreadsheet shows dollars (`$123,456.00`).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent


def campaigns() -> list[dict]:
    with (HERE / "marketing-campaigns-subset.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def spend_by_channel_month(rows: list[dict]) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row["Channel_Used"], row["Dates"][:7]] += Decimal(row["Acquisition_Cost"])
    return dict(sorted(totals.items()))


def main() -> None:
    with (HERE / "marketing-spend-by-channel-month.csv").open(
            "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["Channel", "Month", "Spend"])
        for (channel, month), spend in spend_by_channel_month(campaigns()).items():
            writer.writerow([channel, month, f"${spend:,.2f}"])


if __name__ == "__main__":
    main()
