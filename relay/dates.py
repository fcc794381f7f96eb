"""How an import reads its dates: each date column's format decided from the whole file, never
guessed, and the checks of dates against each other and against the store.

A column is read by a *family*: ISO 8601, M/D/Y, D/M/Y, an Excel serial number, or a strptime
pattern the user gives. For each date column one set-based query counts, per family, the
non-empty values it cannot read. The family that reads every value is used; when both M/D/Y
and D/M/Y read every value and the two readings differ somewhere, the column is ambiguous
unless another date column of the same file is M/D/Y or D/M/Y beyond doubt (one export writes
all its dates alike); otherwise the import is refused and asks for the format.

SQL is composed from fixed patterns and column names of relay.layouts; every pattern and value
is a bound parameter (`bind`).
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


def expression(family: str, raw: str, bind: Callable[[object], str]) -> str:
    """SQL giving the timestamp `raw` (trimmed text, or null) holds when read by `family`
    ("iso", "mdy", "dmy", "excel" or "given:<pattern>"); null when it does not read it."""
    if family == "iso":
        # The regular expression only where an offset may be (cheap string tests first).
        maybe_zoned = (f"(suffix({raw}, 'Z') or contains({raw}, '+') or "
                       f"contains(substr({raw}, 11), '-'))")
        return (f"case when {maybe_zoned} and regexp_matches({raw}, {bind(_ZONED)}) then "
                f"timezone('UTC', try_cast({raw} as timestamptz)) "
                f"else try_cast({raw} as timestamp) end")
    if family in ("mdy", "dmy"):
        first, second = ("%m", "%d") if family == "mdy" else ("%d", "%m")
        return (f"case when regexp_matches({raw}, {bind(_YEAR4)}) then try_strptime({raw}, "
                f"{bind(_patterns(first, second, '%Y'))}::varchar[]) "
                f"when regexp_matches({raw}, {bind(_YEAR2)}) then try_strptime({raw}, "
                f"{bind(_patterns(first, second, '%y'))}::varchar[]) end")
    if family == "excel":
        # A workbook's date cells arrive as ISO text, its plain number cells as serials.
        return (f"case when regexp_matches({raw}, {bind(_SERIAL)}) then "
                f"timestamp '1899-12-30' + to_microseconds(round(cast({raw} as double) "
                f"* 86400000000)::bigint) else {expression('iso', raw, bind)} end")
    if family.startswith("given:"):
        return (f"try_strptime({raw}, "
                f"{bind(given_patterns(family.removeprefix('given:')))}::varchar[])")
    raise AssertionError(f"unknown date family {family}")


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
    """{column: family} for each date column (`raws`: column -> SQL of its trimmed text in
    import_raw), and the columns no family decides. `preferred` ("mdy" or "dmy"): the order
    a mapping the user saved says, for columns the file itself leaves open."""
    decided: dict[str, str] = {}
    undecided: dict[str, Ambiguous] = {}
    sure: set[str] = set()
    # Most files are ISO: one pass over the file says which columns are.
    first: dict[str, object] = {}

    def bind_first(value: object) -> str:
        name = f"p{len(first)}"
        first[name] = value
        return f"${name}"

    counts = ", ".join(f"count(*) filter (where {raw} is not null and "
                       f"{expression('iso', raw, bind_first)} is null)" for raw in raws.values())
    iso_failing = dict(zip(raws, cursor.execute(
        f"select {counts} from import_raw", first).fetchall()[0], strict=True)) if raws else {}
    for column, raw in raws.items():
        if iso_failing[column] == 0:
            decided[column] = "iso"
            continue
        params: dict[str, object] = {}

        def bind(value: object, params=params) -> str:
            name = f"p{len(params)}"
            params[name] = value
            return f"${name}"

        families = ["iso", "mdy", "dmy", "excel"]
        fails = ", ".join(f"count(*) filter (where {expression(family, 'v', bind)} is null)"
                          for family in families)
        differ = (f"first(v order by rowid) filter (where ({expression('mdy', 'v', bind)}) "
                  f"is distinct from ({expression('dmy', 'v', bind)}))")
        row = cursor.execute(
            f"select count(*), {fails}, {differ} from (select rowid, {raw} as v "
            f"from import_raw) where v is not null", params).fetchall()[0]
        values, failing, example = row[0], dict(zip(families, row[1:5], strict=True)), row[5]
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
            again: dict[str, object] = {"v": example}

            def bind_again(value: object, again=again) -> str:
                name = f"q{len(again)}"
                again[name] = value
                return f"${name}"

            readings = cursor.execute(
                f"select {expression('dmy', '$v', bind_again)}, "
                f"{expression('mdy', '$v', bind_again)}", again).fetchall()[0]
            undecided[column] = Ambiguous(column, example, *(_day(m) for m in readings))
            continue
        # Read in full by one family, or (then the values it cannot read are the problems)
        # by the one that reads the most.
        decided[column] = min(families, key=lambda family: failing[family])
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
