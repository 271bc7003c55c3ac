"""One base for every error mockplex raises itself, ``mockplex.MockplexError``, each
error keeping the built-in base callers catch it by (a ValueError stays one)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import mockplex
from mockplex.domain.errors import MockplexError

#: Each family's root (and a few of its members), and the built-in bases it keeps.
ROOTS = [
    ("mockplex.web.errors", "PlexError", ()),
    ("mockplex.web.errors", "ControlError", ()),
    ("mockplex.domain.accounts", "AccountError", ()),
    ("mockplex.domain.accounts", "TokenInvalid", ()),
    ("mockplex.domain.servers", "ServerError", ()),
    ("mockplex.domain.store", "StoreError", ()),
    ("mockplex.domain.store", "PinNotFound", ()),
    ("mockplex.domain.store", "TooManyPins", ()),
    ("mockplex.domain.flags", "NotAFlag", (ValueError,)),
    ("mockplex.interception.stack", "InterceptionError", (RuntimeError,)),
    ("mockplex.interception.patches", "Dropped", ()),
    ("mockplex.control.scenario", "ScenarioError", (ValueError,)),
    ("mockplex.listener", "CannotListen", (OSError,)),
    ("mockplex.proxy.head", "Refused", ()),
    ("mockplex.plextv.arguments", "Invalid", (ValueError,)),
    ("mockplex.web.traffic", "FaultError", ()),
    ("mockplex.control.api", "NotAPinId", (ValueError,)),
    ("mockplex.cli", "NotStarted", ()),
]

#: Exceptions of mockplex's that are not errors it raises for a caller to catch.
NOT_MOCKPLEX_ERRORS = {
    # tells waitress to drop the connection (an injected fault): werkzeug's
    # ClientDisconnected, raised through the app to the server, never to a caller
    "mockplex.web.traffic.DropConnection",
    # ends mockplex run's wait for the mock when a signal comes (a BaseException, as
    # KeyboardInterrupt is, so that no except Exception on the way swallows it)
    "mockplex.run.Interrupted",
}


def test_the_public_name():
    assert mockplex.MockplexError is MockplexError
    assert "MockplexError" in mockplex.__all__
    assert issubclass(MockplexError, Exception)


@pytest.mark.parametrize(("module", "name", "kept"), ROOTS,
                         ids=[name for _, name, _ in ROOTS])
def test_each_error_derives_from_mockplex_error_and_keeps_its_bases(module, name, kept):
    error = getattr(importlib.import_module(module), name)
    assert issubclass(error, MockplexError)
    for base in kept:
        assert issubclass(error, base), f"{name} is no longer a {base.__name__}"


def test_existing_except_clauses_still_catch_them():
    from mockplex.control.scenario import ScenarioError
    from mockplex.server import CannotListen

    with pytest.raises(ValueError):
        raise ScenarioError("bad")
    with pytest.raises(OSError) as raised:
        raise CannotListen("cannot listen on 127.0.0.1: taken")
    assert str(raised.value) == "cannot listen on 127.0.0.1: taken"
    with pytest.raises(MockplexError):
        mockplex.Store().get_pin(123456789)


def every_module() -> list[str]:
    """Every module of the package, found on disk (but __main__, which runs the CLI)."""
    return ["mockplex", *(info.name for info in pkgutil.walk_packages(
        mockplex.__path__, "mockplex.") if info.name != "mockplex.__main__")]


def test_every_exception_mockplex_defines_is_a_mockplex_error():
    """A new error family gets the base too (or a reason here why not)."""
    found = []
    for name in every_module():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (inspect.isclass(value) and issubclass(value, BaseException)
                    and value.__module__ == name):
                found.append(value)
                if f"{name}.{value.__name__}" not in NOT_MOCKPLEX_ERRORS:
                    assert issubclass(value, MockplexError), f"{name}.{value.__name__}"
    assert len(found) >= len(ROOTS)
