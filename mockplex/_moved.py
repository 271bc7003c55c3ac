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
    """An old module split in several: each name looked up in its new homes, in order;
    a name set or deleted through it (``monkeypatch.setattr(mockplex.schemas, ...)``)
    is set or deleted in the home that has it, so that the app sees the change."""

    def __init__(self, name: str, homes: tuple[str, ...]) -> None:
        super().__init__(name)
        object.__setattr__(self, "_homes", homes)
        object.__setattr__(self, "_originals", {})  # name -> (its home, its value there)

    def _modules(self) -> list[ModuleType]:
        return [importlib.import_module(f"mockplex.{home}") for home in self._homes]

    def _home_of(self, attribute: str) -> ModuleType | None:
        return next((module for module in self._modules() if attribute in vars(module)),
                    None)

    def __getattr__(self, attribute: str) -> Any:
        if attribute == "__all__":  # from mockplex.schemas import *: every home's names
            return sorted({name for module in self._modules() for name in
                           getattr(module, "__all__", [n for n in vars(module)
                                                       if not n.startswith("_")])})
        for module in self._modules():
            value = getattr(module, attribute, _MISSING)  # once: a name may warn
            if value is not _MISSING:
                return value
        raise AttributeError(f"module {self.__name__!r} has no attribute {attribute!r} "
                             f"(it moved to mockplex.{', mockplex.'.join(self._homes)})")

    def __setattr__(self, attribute: str, value: Any) -> None:
        if attribute.startswith("__"):  # the import system's own (__spec__, ...)
            super().__setattr__(attribute, value)
            return
        home = self._home_of(attribute) or self._modules()[0]
        # What the home had before the first change, for the delete that undoes it:
        # pytest's monkeypatch finds no old value in this module's own __dict__, so it
        # undoes a setattr by deleting the name.
        self._originals.setdefault(attribute, (home, vars(home).get(attribute, _MISSING)))
        setattr(home, attribute, value)

    def __delattr__(self, attribute: str) -> None:
        """Delete a name set through this module: the home gets back what it had."""
        if attribute in self._originals:
            home, value = self._originals.pop(attribute)
            if value is _MISSING:
                delattr(home, attribute)
            else:
                setattr(home, attribute, value)
            return
        home = self._home_of(attribute)
        if home is None:
            raise AttributeError(attribute)
        delattr(home, attribute)

    def __dir__(self) -> list[str]:
        return sorted({name for module in self._modules() for name in dir(module)})


_MISSING = object()


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
    """The ``stacklevel`` that names the statement importing the old module (for the
    warning :meth:`Finder.create_module` gives). ``warnings.warn`` counts no frame of
    the import system (``importlib._bootstrap``); past those, this counts the frames of
    ``importlib.import_module`` and of this module too."""
    frame, level = sys._getframe(2), 2  # from create_module's caller
    while frame is not None:
        name = frame.f_code.co_filename
        if "importlib" in name and "_bootstrap" in name:
            pass  # not counted by warnings.warn either
        elif name in _SKIPPED:
            level += 1
        else:
            break
        frame = frame.f_back  # type: ignore[assignment]
    return level


_SKIPPED = {__file__, importlib.__file__}


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
