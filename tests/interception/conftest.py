"""The compatibility modules' handle: the ``mockplex`` fixture's state, intercepted for
the test (a module that must also patch the library under test, to skip its waits,
keeps a ``plex`` of its own)."""

from __future__ import annotations

import pytest


@pytest.fixture
def plex(mockplex):
    with mockplex.intercept() as plex:
        yield plex
