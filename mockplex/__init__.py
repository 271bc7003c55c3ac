"""mockplex: a faithful fake of plex.tv's PIN login, for tests."""

from __future__ import annotations

from mockplex.accounts import DEFAULT_ACCOUNT, DEFAULT_TOKEN, Account
from mockplex.app import create_app, store_of
from mockplex.clock import Clock
from mockplex.handle import MockPlex
from mockplex.intercept import PLEX_HOSTS, Intercept, intercept
from mockplex.pages import auth_url
from mockplex.server import LiveServer
from mockplex.store import Pin, PinNotFound, Store

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_TOKEN",
    "PLEX_HOSTS",
    "Account",
    "Clock",
    "Intercept",
    "LiveServer",
    "MockPlex",
    "Pin",
    "PinNotFound",
    "Store",
    "auth_url",
    "create_app",
    "intercept",
    "store_of",
]
