"""Without the ``intercept`` extra: everything but interception works, and
interception says which extra it needs."""

from __future__ import annotations

import importlib.util

import pytest

import mockplex


def test_the_extras_libraries_are_not_installed():
    assert [name for name in ("responses", "respx", "requests", "httpx")
            if importlib.util.find_spec(name)] == []


def test_intercept_names_the_extra():
    with pytest.raises(ImportError, match=r"pip install 'mockplex\[intercept\]'"):
        mockplex.intercept()
