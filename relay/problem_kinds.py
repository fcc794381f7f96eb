"""Every kind of problem an import found, in one run: grouped by (column, reason), with each
kind's count, a few example lines and, for the values of one kind, the distinct values with
their counts ("unknown stage: Won (4,238 rows), Lost (2,473)").

Computed set-based over the import's temporary table import_problems (all problems, not only
the first ones listed), and written whole to a CSV for `relay import --problems FILE` and the
Data page's download.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from relay import report, sql

if TYPE_CHECKING:
    from relay.importing import Preview, Problem

EXAMPLE_LINES = 3
EXAMPLE_VALUES = 5
CSV_HEADER = ("line", "column", "value", "reason")
# A duplicate's reason ends with the line it repeats: one kind for all of them.
_REPEATS = r" line \d+$"


@dataclass(frozen=True)
class ProblemKind:
    column: str | None
    reason: str
    count: int
    lines: list[int] = field(default_factory=list)  # the first few
    values: list[tuple[str, int]] = field(default_factory=list)  # the commonest, with counts
    distinct_values: int = 0

    def __str__(self) -> str:
        where = f"column {self.column!r}: " if self.column else ""
        text = f"{self.count:,} × {where}{self.reason}"
        if self.values:
            shown = ", ".join(f"{value} ({count:,} row{'s' if count != 1 else ''})"
                              if number == 0 else f"{value} ({count:,})"
                              for number, (value, count) in enumerate(self.values))
            more = self.distinct_values - len(self.values)
            text += f": {shown}" + (f" and {more:,} other value(s)" if more > 0 else "")
        if self.lines:
            text += "; e.g. line " + ", ".join(f"{line:,}" for line in self.lines)
        return text

    def as_row(self) -> dict:
        """For the Data page's summary table."""
        return {"count": self.count, "column": self.column, "problem": self.reason,
                "values": ", ".join(f"{value} ({count:,})" for value, count in self.values)
                + (" …" if self.distinct_values > len(self.values) else ""),
                "lines": ", ".join(str(line) for line in self.lines)}


def _has_table(cursor: duckdb.DuckDBPyConnection) -> bool:
    return bool(sql.scalar(cursor, "import_has_problems_table"))


def summarise(cursor: duckdb.DuckDBPyConnection) -> list[ProblemKind]:
    """The kinds of problem in import_problems, the commonest first."""
    kinds = cursor.execute(sql.load("import_problem_kinds"),
                           {"repeats": _REPEATS, "lines": EXAMPLE_LINES}).fetchall()
    values = cursor.execute(sql.load("import_problem_values"),
                            {"repeats": _REPEATS, "values": EXAMPLE_VALUES}).fetchall()
    by_kind: dict[tuple, list[tuple[str, int]]] = {}
    for column, kind, value, count in values:
        by_kind.setdefault((column, kind), []).append((value, count))
    return [ProblemKind(column, kind, count, list(lines), by_kind.get((column, kind), []),
                        distinct)
            for column, kind, count, lines, distinct in kinds]


def from_listed(problems: list[Problem]) -> list[ProblemKind]:
    """The kinds among problems found before the rows could be checked (reading the file):
    those listed."""
    grouped: dict[tuple, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault((problem.column, problem.reason), []).append(problem)
    kinds = []
    for (column, reason), found in grouped.items():
        lines = sorted(problem.line for problem in found if problem.line is not None)
        counted: dict[str, int] = {}
        for problem in found:
            if problem.value is not None:
                counted[problem.value] = counted.get(problem.value, 0) + 1
        values = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        kinds.append(ProblemKind(column, reason, len(found), lines[:EXAMPLE_LINES],
                                 values[:EXAMPLE_VALUES], len(values)))
    return sorted(kinds, key=lambda kind: -kind.count)


def write_csv(cursor: duckdb.DuckDBPyConnection, preview: Preview, output: Path) -> int:
    """Every problem of the import checked on `cursor` to `output` (line, column, value,
    reason), text a spreadsheet would run as a formula behind an apostrophe. Returns how many
    were written."""
    if preview.from_table and _has_table(cursor):
        sql.execute(cursor, "import_problems_csv", formula=report.FORMULA_PATTERN,
                    output=str(output))
        return sql.scalar(cursor, "count_rows", identifiers={"table": "import_problems"})
    output.write_text(_listed_csv(preview.problems), encoding="utf-8")
    return len(preview.problems)


def csv_bytes(cursor: duckdb.DuckDBPyConnection, preview: Preview) -> bytes:
    """The same CSV, for a download."""
    if not (preview.from_table and _has_table(cursor)):
        return _listed_csv(preview.problems).encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "problems.csv"
        write_csv(cursor, preview, output)
        return output.read_bytes()


def _listed_csv(problems: list[Problem]) -> str:
    def guard(value):
        return "'" + value if isinstance(value, str) and value.startswith(
            report.FORMULA_STARTS) else value

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for problem in problems:
        writer.writerow([problem.line, guard(problem.column), guard(problem.value),
                         guard(problem.reason)])
    return buffer.getvalue()
