"""The pytest plugin (entry point ``pytest11``): live mock plex.tv fixtures.

``mockplex_server`` is one live server for the session; ``mockplex`` is a
:class:`~mockplex.MockPlex` handle on it whose state is reset before each test, and
which answers plex.tv's hosts in the test's process while it runs (requests, httpx,
aiohttp; ``mockplex_no_intercept`` or ``mockplex_intercept = false`` turn that off);
``mockplex_proxy`` is that server's proxy for plex.tv's hosts (``mockplex[proxy]``), for
tests that run an unchanged program in a subprocess.

A failing test that used the mock gets a "mockplex saw" section in its report
(``--no-mockplex-report`` leaves it out); ``--mockplex-har FILE`` keeps a HAR file of
the session's requests.

Override ``mockplex_config`` to change the app's configuration, and
``mockplex_listen_address`` (or set ``MOCKPLEX_HOST`` / ``MOCKPLEX_PORT``) to choose
where the server listens.

pytest imports this module in every run of every project where mockplex is
installed, so it imports nothing but pytest: the app, the server and their
libraries load when a test first asks for a fixture. ``-p no:mockplex`` turns the
plugin off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mockplex.domain import flags
from mockplex.domain.paths import DEFAULT_HOST

if TYPE_CHECKING:
    from mockplex.handle import MockPlex
    from mockplex.proxy.listeners import Proxy
    from mockplex.server import LiveServer


@pytest.fixture(scope="session")
def mockplex_config() -> dict[str, Any]:
    """Configuration for the session's app (see ``mockplex.app.DEFAULTS``)."""
    return {}


@pytest.fixture(scope="session")
def mockplex_listen_address() -> tuple[str, int]:
    """Where the session's server listens, as ``(host, port)`` (port 0: a free one).
    By default ``MOCKPLEX_HOST`` / ``MOCKPLEX_PORT``, else 127.0.0.1 and a free port;
    override this fixture to choose in code."""
    host = os.environ.get("MOCKPLEX_HOST", DEFAULT_HOST)
    port_text = os.environ.get("MOCKPLEX_PORT", "0")
    if not port_text.isdigit() or int(port_text) > 65535:
        raise pytest.UsageError(f"MOCKPLEX_PORT must be a port number (0-65535, 0 picks a "
                                f"free one), got {port_text!r}")
    return host, int(port_text)


@pytest.fixture(scope="session")
def mockplex_server(request: pytest.FixtureRequest, mockplex_config: dict[str, Any],
                    mockplex_listen_address: tuple[str, int]) -> Iterator[LiveServer]:
    """One live mock plex.tv for the whole session."""
    from mockplex.app import create_app, store_of
    from mockplex.server import CannotListen, LiveServer, keep_real_time

    host, port = mockplex_listen_address
    keep_real_time(load=True)  # before any test of the session freezes time
    server = LiveServer(create_app(mockplex_config), host=host, port=port)
    try:
        server.start()
    except CannotListen as error:  # the same words as mockplex serve's
        pytest.fail(f"mockplex: {error} (see mockplex_listen_address)", pytrace=False)
    har = None
    har_path = request.config.getoption("mockplex_har")
    if har_path:
        from mockplex.control.har import HarWriter

        har = HarWriter(worker_path(request.config, har_path), store_of(server.app).journal)
    try:
        yield server
    finally:
        server.stop()
        if har is not None:
            har.close()


def worker_path(config: pytest.Config, path: str) -> Path:
    """``path``, or under pytest-xdist one file per worker: ``mock.har`` -> ``mock-gw0.har``."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    result = Path(path)
    return result.with_name(f"{result.stem}-{worker}{result.suffix}") if worker else result


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockplex")
    group.addoption("--mockplex-har", metavar="FILE", dest="mockplex_har",
                    help="keep FILE a HAR 1.2 file of every request the session's mock "
                         "answered (one file per xdist worker: FILE-gw0.har, ...)")
    parser.addini("mockplex_intercept", default="true",
                  help="the mockplex fixture answers plex.tv's hosts for requests, httpx "
                       "and aiohttp in the test's process (true, the default, or false)")
    group.addoption("--no-mockplex-report", action="store_true", dest="no_mockplex_report",
                    help="leave out the 'mockplex saw' section of failing tests' reports")


@pytest.fixture(scope="session")
def mockplex_ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the proxy's CA: ``MOCKPLEX_CA_DIR`` if set (a CA you trust, reused),
    else a throwaway one made for this session; override this fixture to choose in code."""
    configured = os.environ.get("MOCKPLEX_CA_DIR")
    return Path(configured) if configured else tmp_path_factory.mktemp("mockplex-ca")


@pytest.fixture(scope="session")
def mockplex_proxy_server(mockplex_server: LiveServer, mockplex_ca_dir: Path) -> Iterator[Proxy]:
    """The session server's proxy and TLS listener (loopback, free ports)."""
    try:
        from mockplex.proxy.ca import CA
        from mockplex.proxy.listeners import Proxy
    except ImportError as error:
        pytest.fail(f"mockplex_proxy: {error}", pytrace=False)
    proxy = Proxy(mockplex_server, ca=CA.load(mockplex_ca_dir), port=0, tls_port=0)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def mockplex_proxy(mockplex: MockPlex, mockplex_proxy_server: Proxy) -> Proxy:
    """The proxy to the ``mockplex`` fixture's state (reset for this test): ``.url``,
    ``.ca_path``, ``.env`` (the variables that point a subprocess at it), ``.tls_port``."""
    return mockplex_proxy_server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "mockplex_scenario(path): lay this scenario file (relative to the "
                   "rootdir) down in the mockplex fixture's fresh state before the test")
    config.addinivalue_line(
        "markers", "mockplex_allow_unmatched: let this test request plex.tv routes "
                   "mockplex does not emulate without failing")
    config.addinivalue_line(
        "markers", "mockplex_no_intercept: the mockplex fixture leaves this test's HTTP "
                   "clients alone (plex.tv's hosts are not answered in-process)")


@pytest.fixture
def mockplex(request: pytest.FixtureRequest, mockplex_server: LiveServer) -> Iterator[MockPlex]:
    """A handle on the session's mock plex.tv, reset for this test (and given the
    scenario of a ``mockplex_scenario`` marker). While the test runs, its requests,
    httpx and aiohttp calls to plex.tv's hosts are answered by this mock in this process
    (as :func:`mockplex.intercept` does), so that no call the code under test makes
    reaches the real plex.tv; the ``mockplex_no_intercept`` marker or the ini option
    ``mockplex_intercept = false`` leaves the clients alone."""
    from mockplex.handle import MockPlex

    handle = MockPlex(mockplex_server.store, mockplex_server.url, server=mockplex_server)
    handle.reset()
    if not intercepting(request):
        yield handle
        return
    from mockplex.interception.stack import InterceptionError

    interception = handle.intercept()
    try:
        interception.start()
    except InterceptionError:
        if any(library in sys.modules for library in ("requests", "httpx", "aiohttp")):
            raise  # one is there: the reason is worth hearing
        yield handle  # no client to intercept in this environment: nothing can leak
        return
    try:
        yield handle
    finally:
        interception.stop()


def intercepting(request: pytest.FixtureRequest) -> bool:
    """Does the ``mockplex`` fixture intercept plex.tv for this test?"""
    if request.node.get_closest_marker("mockplex_no_intercept") is not None:
        return False
    try:
        return flags.parse(str(request.config.getini("mockplex_intercept")),
                           flags.SETTING_TRUE, flags.SETTING_FALSE, strip=True,
                           ignore_case=True)
    except flags.NotAFlag as error:
        raise pytest.UsageError(f"mockplex_intercept is true or false, got "
                                f"{error.value!r}") from None


#: Set on a test once a report of its carries the "mockplex saw" section: a test that
#: fails and then errors at teardown (the check after it) shows it once, with the first.
REPORTED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing test that used the mock (the fixture, or interception) gets a report
    section "mockplex saw": its requests, the pins, the faults; once per test, in the
    first of its failing reports (setup, call or teardown)."""
    report = yield
    if (report.failed and not item.stash.get(REPORTED, False)
            and not item.config.getoption("no_mockplex_report")):
        stores = stores_used(item)
        if stores:
            from mockplex.control.report import describe

            report.sections.append(("mockplex saw", "\n\n".join(describe(store)
                                                                 for store in stores)))
            item.stash[REPORTED] = True
    return report


def stores_used(item: pytest.Item) -> list[Any]:
    """The mocks ``item`` used: its ``mockplex`` fixture's, and those of interceptions
    started during it (looked for only if interception was ever loaded)."""
    stores = []
    handle = getattr(item, "funcargs", {}).get("mockplex")
    if handle is not None and hasattr(handle, "store"):
        stores.append(handle.store)
    interception = sys.modules.get("mockplex.interception.stack")
    if interception is not None:
        stores.extend(store for store in interception.STACK.stores_started()
                      if all(store is not seen for seen in stores))
    return stores


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Once the fixtures are set up, for a test that uses the ``mockplex`` fixture: lay a
    ``mockplex_scenario`` marker's file down in the fresh state, and arrange the check
    after the test (hooks rather than the fixture asking for ``request``, which would
    cost every test that uses the fixture)."""
    interception = sys.modules.get("mockplex.interception.stack")
    if interception is not None:  # what this test starts is what its report shows
        interception.STACK.forget_started()
    item.stash[REPORTED] = False  # a run of its own (a rerun plugin runs a test again)
    result = yield
    handle = getattr(item, "funcargs", {}).get("mockplex")
    if handle is None:
        return result
    from mockplex.handle import MockPlex

    if not isinstance(handle, MockPlex):  # a fixture of the user's own by that name
        return result
    item.addfinalizer(lambda: check_after(item, handle))  # before the fixtures' teardown
    marker = item.get_closest_marker("mockplex_scenario")
    if marker is not None:
        path = Path(marker.args[0])
        if not path.is_absolute():
            path = item.config.rootpath / path
        handle.load_scenario(path)
    return result


def check_after(item: pytest.Item, handle: MockPlex) -> None:
    """After a test that used the fixture: fail it (at teardown) if the mock failed
    inside (a bug in mockplex, named with its traceback) or was asked for a plex.tv route
    it does not emulate (unless the test has the ``mockplex_allow_unmatched`` marker or
    the config says ``MOCKPLEX_ALLOW_UNMATCHED``). The next test starts from a reset
    either way."""
    if not handle.store.problems:  # the common case: nothing to say
        return
    allowed = (item.get_closest_marker("mockplex_allow_unmatched") is not None
               or (handle.server is not None
                   and handle.server.app.config["MOCKPLEX_ALLOW_UNMATCHED"]))
    handle.check(unmatched=not allowed)
