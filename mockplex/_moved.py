"""The modules 0.8.0 moved into folders, still importable by their old names: an import
of ``mockplex.<old>`` warns (DeprecationWarning) and gives the new module, or, for a
module split in several, one that finds each name in its new home. CHANGELOG.md lists
every move; these names go in 1.0.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType
from typing import Any

#: Old name below ``mockplex.`` -> its new home(s) below ``mockplex.``.
MOVED: dict[str, tuple[str, ...]] = {
    "accounts": ("domain.accounts",), "autoapprove": ("domain.autoapprove",),
    "clock": ("domain.clock",), "faults": ("domain.faults",), "files": ("domain.files",),
    "ids": ("domain.ids",), "journal": ("domain.journal",), "limits": ("domain.limits",),
    "pins": ("domain.pins",), "problems": ("domain.problems",),
    "servers": ("domain.servers",), "store": ("domain.store",), "text": ("domain.text",),
    "xplex": ("domain.xplex",), "paths": ("domain.paths", "domain.hosts", "web.environ"),
    "signin": ("plextv.account", "plextv.resources"),
    "pages": ("plextv.pages", "control.dashboard"),
    "schemas": ("plextv.wire", "plextv.arguments", "control.bodies"),
    "scenario": ("control.scenario",),
    "report": ("control.report",), "har": ("control.har",),
    "openapi": ("control.openapi",), "apidoc": ("web.apidoc",),
    "deferred": ("web.deferred",), "errors": ("web.errors",), "render": ("web.render",),
    "traffic": ("web.traffic",), "context": ("web.context",), "guard": ("web.guard",),
    "patches": ("interception.patches",), "proxyhttp": ("proxy.head",),
    "relays": ("proxy.relays",), "streams": ("proxy.streams",), "ca": ("proxy.ca",),
    "clientenv": ("proxy.clientenv",),
}
#: The public names of old modules whose name is now a folder's -> their new module.
FOLDER_NAMES: dict[str, dict[str, str]] = {
    "interception": {"InterceptionError": "interception.stack",
                     "Interception": "interception.stack"},
    "proxy": {"Proxy": "proxy.listeners", "Timeouts": "proxy.listeners"},
}


class Moved(ModuleType):
    """An old module: each name looked up in its new homes, in order."""

    def __init__(self, name: str, homes: tuple[str, ...]) -> None:
        super().__init__(name)
        self._homes = homes

    def __getattr__(self, attribute: str) -> Any:
        for home in self._homes:
            module = importlib.import_module(f"mockplex.{home}")
            if hasattr(module, attribute):
                return getattr(module, attribute)
        raise AttributeError(f"module {self.__name__!r} has no attribute {attribute!r} "
                             f"(it moved to mockplex.{', mockplex.'.join(self._homes)})")


class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self) -> None:
        self._specs: dict[str, Any] = {}  # old name -> the new module's own spec

    def find_spec(self, fullname: str, path: Any, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        old = fullname.removeprefix("mockplex.")
        if old == fullname or old not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        old = spec.name.removeprefix("mockplex.")
        homes = MOVED[old]
        warnings.warn(f"{spec.name} moved to mockplex.{' and mockplex.'.join(homes)} "
                      "(see CHANGELOG.md, 0.8.0); the old name goes in 1.0",
                      DeprecationWarning, stacklevel=_caller_level())
        if len(homes) == 1:  # the very module, so that patching it by the old name works
            module = importlib.import_module(f"mockplex.{homes[0]}")
            self._specs[spec.name] = module.__spec__
            return module
        return Moved(spec.name, homes)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: give the module back the spec the import system replaced."""
        spec = self._specs.pop(getattr(module.__spec__, "name", ""), None)
        if spec is not None:
            module.__spec__ = spec


def _caller_level() -> int:
    """The stack level of the import statement that named the old module."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


def folder_getattr(folder: str, attribute: str) -> Any:
    """A name the old module of a folder's name had (``mockplex.proxy.Proxy``): found in
    its new home, with a DeprecationWarning."""
    home = FOLDER_NAMES[folder].get(attribute)
    if home is not None:
        warnings.warn(f"mockplex.{folder}.{attribute} moved to mockplex.{home}.{attribute} "
                      "(see CHANGELOG.md, 0.8.0)", DeprecationWarning, stacklevel=3)
        return getattr(importlib.import_module(f"mockplex.{home}"), attribute)
    raise AttributeError(f"module 'mockplex.{folder}' has no attribute {attribute!r}")


def install() -> None:
    if not any(isinstance(finder, Finder) for finder in sys.meta_path):
        sys.meta_path.append(Finder())
