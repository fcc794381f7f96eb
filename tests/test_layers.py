"""The layers hold: app_pages -> relay/ui -> relay/views -> the domain -> relay/sql and queries/.

Read from the source (ast), every module of relay/ and its sub-packages: Streamlit only in
relay/ui/ (and the pages and entry points above it), views never import the UI, and the
domain never imports views or the UI. A module moved into a new sub-package is checked too.
"""

import ast
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT_ROOT

RELAY = PROJECT_ROOT / "relay"
UI = RELAY / "ui"
VIEWS = RELAY / "views"
# Above the views: the command line prints them, report writes them as JSON or CSV, the
# review pack renders them as HTML with the pages' charts (relay/charts, no Streamlit), and
# the digest sends the week's view as an email.
VIEW_READERS = {RELAY / "cli.py", RELAY / "report.py", RELAY / "pack.py", RELAY / "digest.py"}


def imported(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (inside functions too): `import a.b` and
    `from a.b import c` give a.b and, for the second, a.b.c (c may be a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path}: a relative import; the layers are read from "
                                 "absolute ones")
    return names


def offenders(paths, forbidden: tuple[str, ...]) -> list[str]:
    """`path: module` for each import of a module in (or under) one of `forbidden`."""
    found = []
    for path in paths:
        for name in sorted(imported(path)):
            if any(name == prefix or name.startswith(prefix + ".") for prefix in forbidden):
                found.append(f"{path.relative_to(PROJECT_ROOT)}: {name}")
    return found


def modules(folder: Path, leaving_out: tuple[Path, ...] = ()) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py")
                  if not any(path.is_relative_to(left) for left in leaving_out))


def test_only_the_ui_layer_imports_streamlit():
    below_ui = modules(RELAY, leaving_out=(UI,))
    assert len(below_ui) > 30 and RELAY / "views" / "goals.py" in below_ui
    assert offenders(below_ui, ("streamlit",)) == []


def test_views_do_not_import_the_ui():
    assert offenders(modules(VIEWS), ("relay.ui", "streamlit")) == []


def test_the_domain_imports_neither_views_nor_the_ui():
    domain = [path for path in modules(RELAY, leaving_out=(UI, VIEWS))
              if path not in VIEW_READERS]
    assert RELAY / "filters.py" in domain and RELAY / "actuals.py" in domain
    assert offenders(domain, ("relay.views", "relay.ui")) == []


def test_the_ui_and_the_pages_run_no_sql_of_their_own():
    """Their queries go through the views and the domain (relay.sql loads queries/)."""
    drawing = modules(UI) + modules(PROJECT_ROOT / "app_pages")
    assert offenders(drawing, ("relay.sql",)) == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def show():\n    import streamlit as st\n    from relay.ui import shell\n")
    assert imported(module) >= {"streamlit", "relay.ui", "relay.ui.shell"}


def test_the_command_line_and_the_pack_run_without_streamlit():
    """The CLI, the review pack and the digest never load Streamlit (a chart module inside
    relay/ui once loaded it through the package and its sign-in hook)."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, relay.cli, relay.pack, relay.digest, "
         "relay.charts; print('streamlit' in sys.modules)"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"
