"""docs/design.md stays true to the code: its store tables are the store's, column for
column, and every figure of relay/metrics.py has its definition there."""

import re

from relay import PROJECT_ROOT, store
from relay.metrics import METRICS

DESIGN = (PROJECT_ROOT / "docs" / "design.md").read_text(encoding="utf-8")


def _documented_tables() -> dict[str, set[str]]:
    """{table: columns} from the rows of the two table lists under "### Tables"."""
    section = DESIGN.split("### Tables", 1)[1].split("\nDerived from the tables", 1)[0]
    tables = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\| ([a-z_]+) \| (.+) \|", line)
        if not match or match.group(1) == "table":
            continue
        # Notes in parentheses hold commas of their own; a note after " — " is prose.
        columns = re.sub(r"\([^)]*\)", "", match.group(2)).split(" — ", 1)[0]
        tables[match.group(1)] = {column.strip().strip('"') for column in columns.split(",")}
    return tables


def test_the_store_tables_are_documented_column_for_column(tmp_path):
    connection = store.create(tmp_path / "new.duckdb")
    try:
        rows = connection.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main' and table_name in (select table_name from "
            "information_schema.tables where table_type = 'BASE TABLE')").fetchall()
    finally:
        connection.close()
    actual: dict[str, set[str]] = {}
    for table, column in rows:
        actual.setdefault(table, set()).add(column)
    for summary in ("deal_states", "pipeline_deltas", "deal_credits", "funnel_listed_twice",
                    "funnel_months"):  # described with the
        actual.pop(summary)  # derived objects
    assert _documented_tables() == actual


def test_every_figure_has_its_definition_in_the_design():
    missing = [key for key in METRICS if f"`{key}`" not in DESIGN]
    assert missing == []


def test_every_macro_of_the_store_is_documented_with_the_derived_objects(tmp_path):
    connection = store.create(tmp_path / "new.duckdb")
    try:
        macros = {name for (name,) in connection.execute(
            "select distinct function_name from duckdb_functions() where not internal and "
            "function_type in ('macro', 'table_macro') and schema_name = 'main'").fetchall()}
    finally:
        connection.close()
    derived = DESIGN.split("\nDerived from the tables", 1)[1].split("\n###", 1)[0]
    assert macros and [name for name in sorted(macros) if f"`{name}(" not in derived] == []
