"""The package's layers, read from its source: no import cycles (imports inside
functions and deferred modules included), and a domain that imports no web framework.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mockplex"
DOMAIN = ("accounts", "autoapprove", "clock", "faults", "ids", "journal", "paths", "pins",
          "problems", "store", "text", "xplex")
WEB = ("flask", "werkzeug", "waitress", "flask_cors")


def imports_of(module: str) -> set[str]:
    """What ``mockplex.<module>`` imports at run time, wherever in the file: package
    modules by their short name, others by their top-level name. Imports only for the
    type checker (under ``if TYPE_CHECKING:``) do not count."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    typing_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and getattr(block.test, "id", None) == "TYPE_CHECKING"
                   for statement in block.body for node in ast.walk(statement)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "mockplex":  # from mockplex import schemas
                found.update(f"mockplex.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Deferred"
              and isinstance(node.args[0], ast.Constant)):
            found.add(node.args[0].value)
    return {name.removeprefix("mockplex.") if name.startswith("mockplex.")
            else name.split(".")[0] for name in found} - {"mockplex", "__future__"}


MODULES = sorted(path.stem for path in PACKAGE.glob("*.py"))
GRAPH = {module: imports_of(module) & set(MODULES) for module in MODULES}


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for name in GRAPH[todo.pop()]:
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


@pytest.mark.parametrize("module", MODULES)
def test_no_module_imports_itself_back(module):
    cycle = {other for other in GRAPH[module] if module in reachable(other) | {other}}
    assert not cycle, f"{module} imports {sorted(cycle)}, which import {module} again"


@pytest.mark.parametrize("module", [name for name in DOMAIN if name in MODULES])
def test_the_domain_imports_no_web_framework(module):
    everything = {module, *reachable(module)}
    web = {(name, library) for name in everything for library in imports_of(name)
           if library in WEB}
    assert not web, f"{module} reaches a web framework: {sorted(web)}"


def test_the_graph_is_read():
    """The reading itself can fail: it sees the app import its blueprints."""
    assert {"plextv", "control", "errors"} <= GRAPH["app"]
    assert "schemas" in GRAPH["plextv"]  # a deferred module counts
