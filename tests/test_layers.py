"""The package's layers, read from its folders and its source: each folder named by
docs/architecture.md and given a layer, no import cycle (imports inside functions and
deferred modules included), each folder importing only the folders below it, and a
domain that imports no web framework.

The folders and the modules are found on disk, not listed here, so that moving or
renaming a module cannot take it out of these checks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mockplex"
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"
WEB = ("flask", "werkzeug", "waitress", "flask_cors", "marshmallow", "apispec")

#: What each folder may import besides itself: the layers, lowest first. The package's
#: root (``from mockplex import __version__``) is open to all; the top-level modules
#: are the faces a user meets, and only interception and the proxy, which run beside an
#: app, reach a few of them: the app, the live server, and interception the live fake
#: servers (``media``), the proxy a listener's error (``listener``).
MAY_IMPORT = {
    "domain": set(),
    "web": {"domain"},
    "plextv": {"domain", "web"},
    "pms": {"domain", "web"},
    "control": {"domain", "web", "plextv"},
    "interception": {"domain", "web", "app", "server", "media"},
    "proxy": {"domain", "web", "app", "server", "listener"},
}
#: Besides: the folders that replaced a 0.7 module of their name ask mockplex._moved,
#: from their ``__init__``, for the names that module had.
MOVED_FROM = {"interception", "proxy"}
FOLDERS = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py"))


def module_name(path: Path) -> str:
    """``mockplex/domain/pins.py`` -> ``domain.pins``; ``mockplex/app.py`` -> ``app``."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "mockplex"


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(module: str) -> set[str]:
    """What ``mockplex.<module>`` imports at run time, wherever in the file: package
    modules by their name below ``mockplex.``, others by their top-level name. Imports
    only for the type checker (under ``if TYPE_CHECKING:``) do not count."""
    tree = ast.parse(MODULES[module].read_text())
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
            # from mockplex.web import render: the module render, if it is one
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if f"{node.module}.{alias.name}".removeprefix("mockplex.")
                         in MODULES)
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Deferred"
              and isinstance(node.args[0], ast.Constant)):
            found.add(node.args[0].value)
    return {name.removeprefix("mockplex.") if name.startswith("mockplex.")
            else name.split(".")[0] for name in found} - {"__future__"}


GRAPH = {module: imports_of(module) & set(MODULES) - {module} for module in MODULES}


def folder_of(module: str) -> str:
    return module.split(".")[0]


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for name in GRAPH[todo.pop()]:
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def test_the_folders_are_the_six_sides():
    assert sorted(MAY_IMPORT) == FOLDERS, "a folder was added or renamed: give it a layer"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_itself_back(module):
    cycle = {other for other in GRAPH[module] if module in reachable(other) | {other}}
    assert not cycle, f"{module} imports {sorted(cycle)}, which import {module} again"


@pytest.mark.parametrize("module", sorted(name for name in MODULES
                                          if folder_of(name) in MAY_IMPORT))
def test_each_folder_imports_only_the_layers_below_it(module):
    folder = folder_of(module)
    allowed = MAY_IMPORT[folder] | {folder, "mockplex"}
    if module in MOVED_FROM:
        allowed |= {"_moved"}
    above = {name for name in GRAPH[module] if folder_of(name) not in allowed}
    assert not above, f"{module} imports {sorted(above)}, above {folder}'s layer"


@pytest.mark.parametrize("module", sorted(name for name in MODULES
                                          if folder_of(name) == "domain"))
def test_the_domain_imports_no_web_framework(module):
    everything = {module, *reachable(module)}
    web = {(name, library) for name in everything for library in imports_of(name)
           if library in WEB}
    assert not web, f"{module} reaches a web framework: {sorted(web)}"


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_says_what_lives_there_and_what_it_may_import(folder):
    docstring = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
    assert docstring and "import" in docstring, f"mockplex/{folder}/__init__.py"


def test_the_architecture_map_names_each_folder_and_only_those():
    text = ARCHITECTURE.read_text()
    named = {line.split("`mockplex/", 1)[1].split("/`", 1)[0]
             for line in text.splitlines() if line.startswith("### `mockplex/")}
    assert named == set(FOLDERS), "docs/architecture.md's folder headings"


def test_the_graph_is_read():
    """The checks above would pass on an empty graph: it is not empty."""
    assert {"plextv.pins", "control.api", "web.errors"} <= GRAPH["app"]
    assert {"listener", "media"} <= GRAPH["server"] and "listener" in GRAPH["media"]
    assert "plextv.wire" in GRAPH["plextv.pins"]  # a deferred module counts
    assert "web.render" in GRAPH["web.errors"]  # from mockplex.web import render
    assert len([name for name in MODULES if folder_of(name) == "domain"]) >= 10


def test_the_socket_machinery_knows_no_server_of_the_mock():
    """The listener serves any app: the mock's own server (server) and each fake
    server's socket (media) are built on it, never the reverse, and neither is the app."""
    top = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__", "listener"}
    assert not GRAPH["listener"] & top, sorted(GRAPH["listener"] & top)
    assert "server" not in GRAPH["media"]
