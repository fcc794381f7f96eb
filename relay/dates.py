"""How an import reads its dates: each date column's format decided from the whole file, never
guessed, and the checks of dates against each other and against the store.

A column is read by a *family*: ISO 8601, M/D/Y, D/M/Y, an Excel serial number, or a strptime
pattern the user gives. For each date column one set-based query counts, per family, the
non-empty values it cannot read. The family that reads every value is used; when both M/D/Y
and D/M/Y read every value and the two readings differ somewhere, the column is ambiguous
unless another date column of the same file is M/D/Y or D/M/Y beyond doubt (one export writes
all its dates alike); otherwise the import is refused and asks for the format.

Each family reads a value through its macro in the store (migration 0011); the statements
that decide a column's family are in queries/ (import_dates_not_iso, import_date_families,
import_date_readings), and every pattern and value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from relay import sql

_TIMES = ("", " %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p", " %H:%M:%S.%f")
_SEPARATORS = ("/", ".", "-")
# A day/month/year value: 1-2 digits, a separator, 1-2 digits, the same separator, a 4- or
# 2-digit year, then the end or a space (a time). DuckDB's %Y would read "26" as the year 26.
_DAY_MONTH = r"^\d{1,2}(/\d{1,2}/|\.\d{1,2}\.|-\d{1,2}-)"
_YEAR4 = _DAY_MONTH + r"\d{4}( .*)?$"
_YEAR2 = _DAY_MONTH + r"\d{2}( .*)?$"
# An ISO value with a time and a UTC offset (Z, +02:00, -0500): stored as UTC.
_ZONED = r"\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+\-]\d\d(:?\d\d)?)$"
# Excel counts days from 1899-12-30; 10000-99999 is 1927-05-18 to 2173-10-14.
_SERIAL = r"^\d{5}(\.\d+)?$"

FAMILIES = {
    "iso": "YYYY-MM-DD (ISO 8601, e.g. 2026-03-04 or 2026-03-04T14:30:00+01:00)",
    "mdy": "M/D/YYYY (month first, e.g. 3/4/2026 for 4 March 2026)",
    "dmy": "D/M/YYYY (day first, e.g. 4/3/2026 for 4 March 2026)",
    "excel": "an Excel serial number (days since 1899-12-30, e.g. 46085) or an ISO date",
}
# The order import_date_families counts a column's failures by family in.
FAMILY_ORDER = ("iso", "mdy", "dmy", "excel")
FAMILY_PATTERN = {"mdy": "%m/%d/%Y", "dmy": "%d/%m/%Y"}
FAMILY_SHORT = {"mdy": "M/D/Y", "dmy": "D/M/Y"}


def _patterns(first: str, second: str, year: str) -> list[str]:
    return [f"{first}{sep}{second}{sep}{year}{time}"
            for sep in _SEPARATORS for time in _TIMES]


def given_patterns(pattern: str) -> list[str]:
    """The user's pattern, and the same followed by a time when it has none."""
    if any(directive in pattern for directive in ("%H", "%I", "%M", "%S")):
        return [pattern]
    return [pattern + time for time in _TIMES]


def check_given(cursor: duckdb.DuckDBPyConnection, pattern: str | None) -> str | None:
    """Why a format the user gave cannot be used, or None."""
    if pattern is None:
        return None
    if not any(f"%{code}" in pattern for code in "dmYyjbB"):
        return (f"the date format {pattern!r} is not a strptime pattern: give one such as "
                "%d/%m/%Y or %m/%d/%Y")
    try:
        sql.rows(cursor, "import_check_date_format", pattern=pattern)
    except duckdb.Error as error:
        return f"the date format {pattern!r} cannot be used: {str(error).splitlines()[0]}"
    return None


def family_params(family: str) -> dict[str, object]:
    """The patterns the macro of `family` ("iso", "mdy", "dmy" or "excel"; migration 0011)
    reads a value by, as the parameters the statements of queries/ bind them under."""
    if family == "iso":
        return {"zoned": _ZONED}
    if family in ("mdy", "dmy"):
        first, second = ("%m", "%d") if family == "mdy" else ("%d", "%m")
        return {"year4": _YEAR4, "year2": _YEAR2,
                f"{family}4": _patterns(first, second, "%Y"),
                f"{family}2": _patterns(first, second, "%y")}
    if family == "excel":
        return {"serial": _SERIAL, "zoned": _ZONED}
    raise AssertionError(f"unknown date family {family}")


def expression(family: str, raw: str, bind: Callable[[object], str]) -> str:
    """SQL giving the timestamp `raw` (trimmed text, or null) holds when read by `family`
    ("iso", "mdy", "dmy", "excel" or "given:<pattern>"); null when it does not read it."""
    if family.startswith("given:"):
        return (f"try_strptime({raw}, "
                f"{bind(given_patterns(family.removeprefix('given:')))}::varchar[])")
    macro = {"iso": "date_iso", "mdy": "date_day_month", "dmy": "date_day_month",
             "excel": "date_excel"}.get(family)
    if macro is None:
        raise AssertionError(f"unknown date family {family}")
    patterns = ", ".join(bind(value) for value in family_params(family).values())
    return f"{macro}({raw}, {patterns})"


def label(family: str) -> str:
    if family.startswith("given:"):
        return f"the format you gave, {family.removeprefix('given:')}"
    return FAMILIES[family]


@dataclass(frozen=True)
class Ambiguous:
    """A column both M/D/Y and D/M/Y read in full, with a value they read differently."""

    column: str
    value: str
    as_dmy: str
    as_mdy: str

    def reason(self) -> str:
        return (f"{self.value} reads as {self.as_dmy} (D/M/Y) or "
                f"{self.as_mdy} (M/D/Y); every value fits both: give the format with "
                "--date-format %d/%m/%Y or %m/%d/%Y (the Data page asks the same)")


def _day(moment) -> str:
    text = f"{moment.day} {moment:%B %Y}"
    if (moment.hour, moment.minute, moment.second) != (0, 0, 0):
        text += f" {moment:%H:%M}"
    return text


def decide(cursor: duckdb.DuckDBPyConnection, raws: dict[str, str],
           given: str | None, preferred: str | None = None
           ) -> tuple[dict[str, str], list[Ambiguous]]:
    """{column: family} for each date column (`raws`: column -> the import_raw column, c0,
    c1, …, that holds its text), and the columns no family decides. `preferred` ("mdy" or
    "dmy"): the order a mapping the user saved says, for columns the file itself leaves open."""
    decided: dict[str, str] = {}
    undecided: dict[str, Ambiguous] = {}
    sure: set[str] = set()
    # Most files are ISO: one pass over the file says which columns are.
    # Keyed by the result's own column names: columns($list) answers in the table's order.
    raw_columns = sorted(set(raws.values()))
    iso_failing = sql.records(cursor, "import_dates_not_iso", columns=sql.names(raw_columns),
                              **family_params("iso"))[0] if raws else {}
    # Every family's patterns (those two families share are the same).
    patterns = {name: value for family in FAMILY_ORDER
                for name, value in family_params(family).items()}
    for column, raw in raws.items():
        if iso_failing[raw] == 0:
            decided[column] = "iso"
            continue
        row = sql.rows(cursor, "import_date_families", identifiers={"column": raw},
                       **patterns)[0]
        values, failing, example = row[0], dict(zip(FAMILY_ORDER, row[1:5], strict=True)), row[5]
        if values == 0:
            decided[column] = "iso"
            continue
        # ISO and serial numbers are never ambiguous: a given format is for the others.
        if failing["iso"] == 0 or failing["excel"] == 0:
            decided[column] = "iso" if failing["iso"] == 0 else "excel"
            continue
        if given is not None:
            decided[column] = f"given:{given}"
            continue
        both = failing["mdy"] == 0 and failing["dmy"] == 0
        if both and example is not None:
            readings = sql.rows(cursor, "import_date_readings", v=example,
                                **(family_params("dmy") | family_params("mdy")))[0]
            undecided[column] = Ambiguous(column, example, *(_day(m) for m in readings))
            continue
        # Read in full by one family, or (then the values it cannot read are the problems)
        # by the one that reads the most.
        decided[column] = min(FAMILY_ORDER, key=lambda family: failing[family])
        # A column whose every value reads the same both ways (01/01/2026) shows no order.
        if failing[decided[column]] == 0 and not both:
            sure.add(decided[column])
    # One export writes all its dates alike: a column read both ways takes the day/month
    # order another column of the file shows beyond doubt.
    sure.discard("excel")
    if not sure and preferred in ("mdy", "dmy"):
        sure.add(preferred)
    if len(sure) == 1:
        family = sure.pop()
        for column in list(undecided):
            decided[column] = family
            del undecided[column]
    return decided, list(undecided.values())


# Per table: (the later date, the earlier date(s) (the first known), what it means when the
# later one comes first). Each is a warning, not a refusal: see the README.
ORDER: dict[str, tuple[tuple[str, tuple[str, ...], str], ...]] = {
    "deals": (("close_date", ("created_at",), "closes before it was created"),),
    "leads": (
        ("first_touch_at", ("created_at",), "first touch before the lead was created"),
        ("mql_at", ("created_at",), "MQL before the lead was created"),
        ("sal_at", ("mql_at", "created_at"), "SAL before the lead's MQL (or creation)"),
        ("sql_at", ("sal_at", "mql_at", "created_at"),
         "SQL before the lead's SAL (or MQL, or creation)"),
    ),
    "campaigns": (),
}
