"""The core install, with no HTTP client beside it: everything but interception
works, and interception says what it needs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

import mockplex


def test_no_http_client_is_installed():
    assert [name for name in ("requests", "httpx", "aiohttp", "responses", "respx")
            if importlib.util.find_spec(name)] == []


def test_intercept_says_what_it_needs():
    with pytest.raises(RuntimeError, match="requests, httpx and aiohttp, and none of them"):
        mockplex.intercept().start()


def test_the_proxy_says_which_extra_it_needs(tmp_path):
    """The core install has no cryptography: the proxy names the extra that brings it."""
    assert importlib.util.find_spec("cryptography") is None
    done = subprocess.run([sys.executable, "-m", "mockplex", "serve", "--port", "0",
                           "--proxy-port", "0", "--ca-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and done.stdout == ""
    assert "pip install 'mockplex[proxy]'" in done.stderr and "Traceback" not in done.stderr
