"""The layers of the code: each top-level package imports only the ones below it.

    core <- roundtables <- sessions <- contributions <- programme <- gfmd_portal

``core`` (shared infrastructure) imports no app; ``roundtables`` (forums, roundtables, themes) imports
only ``core``; features reading across apps sit in ``programme``; ``gfmd_portal`` holds the settings and
URLs. Migrations, tests and bench scripts are left out. Modules stay short: over 400 lines, a
module's docstring says why.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["core", "roundtables", "sessions", "contributions", "programme", "gfmd_portal"]
MAX_LINES = 400


def _modules():
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield package, path


def _imported_packages(path):
    """The top-level project packages ``path`` imports (absolute imports; relative ones stay inside)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in LAYERS)
    return found


def import_edges():
    """{(importer package, imported package): [files]} between different top-level packages."""
    edges = {}
    for package, path in _modules():
        for imported in _imported_packages(path) - {package}:
            edges.setdefault((package, imported), []).append(str(path.relative_to(ROOT)))
    return edges


def upward_imports(edges):
    """The edges that import a package above the importer, with the files doing it."""
    return {edge: files for edge, files in edges.items() if LAYERS.index(edge[1]) > LAYERS.index(edge[0])}


def test_no_package_imports_a_package_above_it():
    assert upward_imports(import_edges()) == {}


def test_an_upward_import_is_caught(tmp_path):
    edges = {("roundtables", "sessions"): ["roundtables/selectors.py"], ("sessions", "roundtables"): ["x.py"]}

    assert upward_imports(edges) == {("roundtables", "sessions"): ["roundtables/selectors.py"]}


def test_core_imports_no_app():
    assert {edge for edge in import_edges() if edge[0] == "core"} == set()


@pytest.mark.parametrize(("package", "path"), list(_modules()), ids=lambda value: str(value))
def test_modules_are_short_or_say_why(package, path):
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    docstring = ast.get_docstring(ast.parse(text)) or ""

    assert lines <= MAX_LINES or "Longer than 400 lines" in docstring, f"{path.relative_to(ROOT)}: {lines} lines"
