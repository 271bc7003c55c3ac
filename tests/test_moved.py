"""The modules 0.8.0 moved into folders still import by their 0.7 names, with a warning
(mockplex/_moved.py), and give the very objects of their new homes."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import warnings

import pytest

from mockplex._moved import FOLDER_NAMES, MOVED

#: Every module of mockplex 0.7.0: each is a face at the top still, a folder's name
#: now, or moved.
MODULES_0_7 = (
    "accounts", "apidoc", "app", "autoapprove", "ca", "cli", "clientenv", "clock",
    "context", "control", "deferred", "errors", "faults", "files", "guard", "handle", "har",
    "ids", "interception", "journal", "limits", "openapi", "pages", "patches", "paths",
    "pins", "plextv", "plugin", "problems", "proxy", "proxyhttp", "relays", "render",
    "report", "scenario", "schemas", "server", "servers", "signin", "store", "streams",
    "text", "traffic", "xplex",
)


@pytest.mark.parametrize("old", MODULES_0_7)
def test_every_0_7_module_still_imports(old):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert importlib.import_module(f"mockplex.{old}") is not None
    assert old in MOVED or old in FOLDER_NAMES or old in ("app", "cli", "handle", "plugin",
                                                           "server", "control", "plextv")


#: Run in a fresh interpreter (this process may have imported the old names already):
#: each old name warns, naming its new home, and gives the new module's very objects.
CHECK_ONE = """
import importlib, warnings
def check(old, first):
    new = importlib.import_module('mockplex.' + first)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', DeprecationWarning)
        moved = importlib.import_module('mockplex.' + old)
    said = [(str(w.message), w.filename) for w in caught if w.category is DeprecationWarning]
    if not any('mockplex.' + first in text for text, _ in said):
        return f'{old}: no warning naming mockplex.{first} ({said})'
    if any(where != '<string>' for _, where in said):  # the import's own line
        return f'{old}: a warning points elsewhere than the importing line ({said})'
    names = [n for n in vars(new) if not n.startswith('_')]
    if not names or any(getattr(moved, n) is not getattr(new, n) for n in names):
        return f'{old}: not the objects of mockplex.{first}'
    if new.__spec__.name != new.__name__:
        return f'{old}: mockplex.{first} lost its own spec'
    return ''
"""


def test_an_old_name_warns_and_gives_the_new_objects():
    calls = "".join(f"print(check({old!r}, {homes[0]!r}))\n" for old, homes in MOVED.items())
    done = subprocess.run([sys.executable, "-c", CHECK_ONE + calls], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    problems = [line for line in done.stdout.splitlines() if line]
    assert not problems
    assert done.stdout.count("\n") == len(MOVED)  # every one was checked


def test_a_split_module_finds_each_name_in_its_new_home():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        schemas = importlib.import_module("mockplex.schemas")
    from mockplex.control import bodies
    from mockplex.plextv import arguments, wire

    assert schemas.PIN_SCHEMA is wire.PIN_SCHEMA
    assert schemas.load is arguments.load
    with pytest.warns(DeprecationWarning, match="VerifyArgs is now ApproveArgs"):
        assert schemas.VerifyArgs is bodies.ApproveArgs  # its 0.7 name, renamed since
    with pytest.raises(AttributeError, match=re.escape("moved to mockplex.plextv.wire")):
        schemas.NOT_A_NAME  # noqa: B018


def test_a_name_patched_through_a_split_module_changes_its_new_home(monkeypatch):
    """As monkeypatch.setattr(mockplex.schemas, ...) did in 0.7: the app sees it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        schemas = importlib.import_module("mockplex.schemas")
    from mockplex.plextv import wire

    monkeypatch.setattr(schemas, "dump_pin", len)
    assert wire.dump_pin is len
    monkeypatch.undo()
    assert wire.dump_pin is not len


def test_import_star_from_a_split_module_gives_every_home_s_names():
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        exec("from mockplex.paths import *", namespace)  # the statement tested
    assert {"PLEX_HOSTS", "INTERCEPTED", "CONTROL_PREFIX", "is_loopback"} <= set(namespace)


@pytest.mark.parametrize(("folder", "name"), [(folder, name) for folder, names in
                                              FOLDER_NAMES.items() for name in names])
def test_a_folder_keeps_the_public_names_of_the_module_it_replaced(folder, name):
    with pytest.warns(DeprecationWarning, match=re.escape(f"mockplex.{folder}.{name} moved")):
        value = getattr(importlib.import_module(f"mockplex.{folder}"), name)
    home = importlib.import_module(f"mockplex.{FOLDER_NAMES[folder][name]}")
    assert value is getattr(home, name)
