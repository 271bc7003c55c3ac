"""mockplex: a faithful fake of plex.tv's PIN login, for tests.

The public names below are loaded when first used (PEP 562), so that importing the
package (as pytest does for the plugin in every run) costs next to nothing, and
interception's libraries load only for code that intercepts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.7.0"

# Each public name, and the module it lives in.
_HOMES = {
    "DEFAULT_ACCOUNT": "mockplex.accounts",
    "DEFAULT_TOKEN": "mockplex.accounts",
    "Account": "mockplex.accounts",
    "create_app": "mockplex.app",
    "store_of": "mockplex.app",
    "Clock": "mockplex.clock",
    "MockPlex": "mockplex.handle",
    "Intercept": "mockplex.handle",
    "intercept": "mockplex.handle",
    "auth_url": "mockplex.pages",
    "PLEX_HOSTS": "mockplex.paths",
    "LiveServer": "mockplex.server",
    "Pin": "mockplex.pins",
    "PinNotFound": "mockplex.store",
    "Store": "mockplex.store",
}

__all__ = [  # noqa: RUF022 - the order of _HOMES
    "DEFAULT_ACCOUNT", "DEFAULT_TOKEN", "Account", "create_app", "store_of", "Clock",
    "MockPlex", "Intercept", "intercept", "auth_url", "PLEX_HOSTS", "LiveServer", "Pin",
    "PinNotFound", "Store",
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
    from mockplex.accounts import DEFAULT_ACCOUNT, DEFAULT_TOKEN, Account
    from mockplex.app import create_app, store_of
    from mockplex.clock import Clock
    from mockplex.handle import Intercept, MockPlex, intercept
    from mockplex.pages import auth_url
    from mockplex.paths import PLEX_HOSTS
    from mockplex.pins import Pin
    from mockplex.server import LiveServer
    from mockplex.store import PinNotFound, Store
