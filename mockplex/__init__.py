"""mockplex: a faithful fake of plex.tv's PIN login, for tests.

The public names below are loaded when first used (PEP 562), so that importing the
package (as pytest does for the plugin in every run) costs next to nothing, and
interception's libraries load only for code that intercepts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mockplex import _moved

__version__ = "0.11.0"

_moved.install()  # the modules 0.8.0 moved answer their old names, with a warning

# Each public name, and the module it lives in.
_HOMES = {
    "DEFAULT_ACCOUNT": "mockplex.domain.accounts",
    "DEFAULT_TOKEN": "mockplex.domain.accounts",
    "Account": "mockplex.domain.accounts",
    "create_app": "mockplex.app",
    "store_of": "mockplex.app",
    "Clock": "mockplex.domain.clock",
    "MockPlex": "mockplex.handle",
    "Intercept": "mockplex.handle",
    "intercept": "mockplex.handle",
    "auth_url": "mockplex.plextv.pages",
    "PLEX_HOSTS": "mockplex.domain.hosts",
    "LiveServer": "mockplex.server",
    "Pin": "mockplex.domain.pins",
    "PinNotFound": "mockplex.domain.store",
    "Store": "mockplex.domain.store",
    "MockplexError": "mockplex.domain.errors",
}

__all__ = [  # noqa: RUF022 - the order of _HOMES
    "DEFAULT_ACCOUNT", "DEFAULT_TOKEN", "Account", "create_app", "store_of", "Clock",
    "MockPlex", "Intercept", "intercept", "auth_url", "PLEX_HOSTS", "LiveServer", "Pin",
    "PinNotFound", "Store", "MockplexError",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mockplex' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


if TYPE_CHECKING:
    from mockplex.app import create_app, store_of
    from mockplex.domain.accounts import DEFAULT_ACCOUNT, DEFAULT_TOKEN, Account
    from mockplex.domain.clock import Clock
    from mockplex.domain.errors import MockplexError
    from mockplex.domain.hosts import PLEX_HOSTS
    from mockplex.domain.pins import Pin
    from mockplex.domain.store import PinNotFound, Store
    from mockplex.handle import Intercept, MockPlex, intercept
    from mockplex.plextv.pages import auth_url
    from mockplex.server import LiveServer
