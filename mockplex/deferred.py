"""A module loaded when first used, for a library that only some requests need.

``mockplex serve`` prints its ready line once the app is built and the socket
listens; marshmallow (whose validators compile large regular expressions on import)
and the schemas built on it load with the first request that dumps or loads
something, or in the background right after start-up (:func:`warm_up`).
"""

from __future__ import annotations

import importlib
from typing import Any


class Deferred:
    """Stands for the module ``name`` and imports it on the first attribute read; each
    attribute read is kept, so later reads cost what a module's would."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(importlib.import_module(self._name), attribute)
        setattr(self, attribute, value)  # the import lock makes this one value for all
        return value

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"


#: The modules the app defers, in the order :func:`warm_up` loads them.
DEFERRED = ("mockplex.schemas",)


def warm_up() -> None:
    """Import every deferred module now (a server calls this once it is ready)."""
    for name in DEFERRED:
        importlib.import_module(name)
