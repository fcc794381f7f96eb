"""The one way SQL reaches the store: named statements from queries/*.sql, bound parameters."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import duckdb
import pandas as pd

from relay import PROJECT_ROOT

QUERY_DIR = PROJECT_ROOT / "queries"


@cache
def load(name: str) -> str:
    """The text of queries/<name>.sql."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise LookupError(f"no query named {name!r} (looked for {path})")
    return path.read_text(encoding="utf-8")


def frame(cursor: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> pd.DataFrame:
    """Run a named query and return its result as a DataFrame."""
    return cursor.execute(load(name), params).df()


def records(cursor: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> list[dict[str, Any]]:
    """Run a named query and return its rows as dicts of plain Python values (None for NULL,
    never NaN: these go back into queries as parameters)."""
    result = cursor.execute(load(name), params)
    columns = [column[0] for column in result.description]
    return [
        dict(zip(columns, (float(v) if isinstance(v, Decimal) else v for v in values), strict=True))
        for values in result.fetchall()
    ]


def row(cursor: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> dict[str, Any]:
    """Run a named query that returns one row, as a dict of column name to value."""
    result = cursor.execute(load(name), params)
    columns = [column[0] for column in result.description]
    # fetchall, not fetchone: DuckDB 2 keeps a half-read result open on the connection.
    rows = result.fetchall()
    if not rows:
        return dict.fromkeys(columns)
    # Amounts are DECIMAL in the store; as floats they mix with the DataFrame figures.
    values = (float(v) if isinstance(v, Decimal) else v for v in rows[0])
    return dict(zip(columns, values, strict=True))


def execute(cursor: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> None:
    cursor.execute(load(name), params)
