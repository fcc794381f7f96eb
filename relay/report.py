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
        "filters": {
            "quarter": str(view.filters.quarter),
            "region": view.filters.region,
            "segment": view.filters.segment,
        },
        "as_of": view.as_of.isoformat(),
        "figures": {
            key: {
                "label": figure.label,
                "value": figure.value,
                "unit": figure.unit,
                "definition": figure.definition,
            }
            for key, figure in view.figures.items()
        },
        "tables": {name: _records(table) for name, table in view.tables.items()},
        "notes": view.notes,
    }


def to_json(view: View) -> str:
    return json.dumps(to_dict(view), indent=2, ensure_ascii=False)


def to_csv(view: View, table: str | None = None) -> str:
    """The figures as rows of (key, label, value, unit); or one of the view's tables."""
    if table is None:
        frame = pd.DataFrame(
            [(f.key, f.label, f.value, f.unit) for f in view.figures.values()],
            columns=["figure", "label", "value", "unit"],
        )
    else:
        frame = view.tables[table]
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    records = table.to_dict(orient="records")
    return [{key: _plain(value) for key, value in record.items()} for record in records]


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
