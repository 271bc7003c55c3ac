"""The core install, with no HTTP client beside it: everything but interception
works, and interception says what it needs."""

from __future__ import annotations

import importlib.util

import pytest

import mockplex


def test_no_http_client_is_installed():
    assert [name for name in ("requests", "httpx", "aiohttp", "responses", "respx")
            if importlib.util.find_spec(name)] == []


def test_intercept_says_what_it_needs():
    with pytest.raises(RuntimeError, match="requests, httpx and aiohttp, and none of them"):
        mockplex.intercept().start()
