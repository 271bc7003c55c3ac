"""A module loaded when first used, for a library that only some requests need.

``mockplex serve`` prints its ready line once the app is built and the socket
listens; marshmallow (whose validators compile large regular expressions on import)
and the schemas built on it load with the first request that dumps or loads
something, or in the background right after start-up (:func:`warm_up`).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class Deferred:
    """Stands for the module ``name`` and imports it on the first attribute read. Every
    read goes to the module itself, so a test that patches one of its attributes
    (``monkeypatch.setattr(mockplex.plextv.wire, ...)``) is seen, and its undoing too."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:  # the import lock makes this one module for every thread
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"


#: The modules the app defers, in the order :func:`warm_up` loads them.
DEFERRED = ("mockplex.plextv.arguments", "mockplex.plextv.wire", "mockplex.control.bodies")


def warm_up() -> None:
    """Import every deferred module now (a server calls this once it is ready)."""
    for name in DEFERRED:
        importlib.import_module(name)
