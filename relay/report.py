"""A view as JSON or CSV: what `python -m relay report <view>` prints."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pandas as pd

from relay.views.common import View


def to_dict(view: View) -> dict[str, Any]:
    return {
        "view": view.name,
        "filters": view.filters.as_dict(),
        "as_of": view.as_of.isoformat(),
        "figures": {
            key: {
                "label": figure.label,
                "value": figure.value,
                "state": figure.state.value,
                "reason": figure.reason or None,
                "unit": figure.unit,
                "definition": figure.definition,
            }
            for key, figure in view.figures.items()
        },
        "tables": {name: _records(table) for name, table in view.tables.items()},
        "notes": [note.text for note in view.notes],
    }


def to_json(view: View) -> str:
    return json.dumps(to_dict(view), indent=2, ensure_ascii=False)


def to_csv(view: View, table: str | None = None) -> str:
    """The figures as rows of (key, label, value, state, reason, unit); or one of the
    view's tables."""
    if table is not None:
        return table_csv(view.tables[table])
    return table_csv(pd.DataFrame(
        [(f.key, f.label, f.value, f.state.value, f.reason, f.unit)
         for f in view.figures.values()],
        columns=["figure", "label", "value", "state", "reason", "unit"],
    ))


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same starts as a regular expression, for DuckDB to guard the CSV files it writes.
FORMULA_PATTERN = "^[" + "".join(
    "\\" + start if start in "-" else start for start in FORMULA_STARTS) + "]"


def table_csv(frame: pd.DataFrame) -> str:
    """A table as CSV. Text cells a spreadsheet would run as a formula get a leading
    apostrophe, so they open as the text they are."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS)
                else v)
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as JSON-ready dicts (dates as ISO text, missing as null)."""
    return _records(table)


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    records = table.to_dict(orient="records")
    return [{key: _plain(value) for key, value in record.items()} for record in records]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
