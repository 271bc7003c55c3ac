from __future__ import annotations

import ipaddress
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockplex import Store, create_app, store_of
from tests.values import CHROMIUM, CHROMIUM_ARGS, FIXTURES, HEADERS

pytest_plugins = ["pytester"]
# The smoke suite runs apart, against the built wheel in a virtualenv of its own
# (make smoke): here its tests would import the source tree instead.
collect_ignore = ["smoke"]



def is_loopback(host: object) -> bool:
    if host in ("localhost", "localhost.", None, b"localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_traffic_off_the_machine(monkeypatch):
    """No test, passing or failing, sends a packet or a DNS lookup off this machine: a
    connection to, or a lookup of, anything but loopback raises at the socket layer (so
    an interception that leaks fails loudly instead of reaching the real plex.tv)."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def refuse(what: str, target: object) -> OSError:
        return OSError(f"the mockplex suite refuses a {what} off the machine: {target!r}")

    def guarded(real):
        def connect(sock, address):
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):
                raise refuse("connection", address)
            return real(sock, address)
        return connect

    def getaddrinfo(host, *args, **kwargs):
        if not is_loopback(host.decode() if isinstance(host, bytes) else host):
            raise refuse("name lookup", host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def require(what: str, missing: bool) -> None:
    """Skip locally, fail in CI (CI installs everything the suite needs)."""
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"no {what}")
        pytest.skip(f"no {what}")


def require_node(package: str | None = None, folder: Path | None = None) -> str:
    """Debian's ``node``, and npm's ``package`` installed under ``folder`` when given
    (make test installs the suite's under .venv/node): :func:`require`'d."""
    node = shutil.which("node")
    require("Node (apt-get install nodejs npm)", node is None)
    if package is not None and folder is not None:
        require(f"{package} in {folder} (make test installs it)",
                not (folder / "node_modules" / package).is_dir())
    assert node is not None
    return node


# -- the browser ---------------------------------------------------------------
#
# One Playwright and one Chromium per session (each xdist worker is a session of its
# own, in its own process), made in the main thread and used from no other; each test
# gets fresh contexts (``new_context``): cookies, storage and cache of its own.
#
# While Playwright's sync API runs, its event loop counts as the thread's running loop,
# so asyncio.run() (the httpx and aiohttp tests) would fail in the same process. Hence
# the tests that use the browser run last (pytest_collection_modifyitems below; xdist
# hands each worker its tests in this order), and should another test come after one of
# them anyway (another order, a plugin's), Chromium and Playwright are stopped before it
# and started again for the next test that wants them.

class Chromium:
    """Playwright and Debian's headless Chromium (Playwright cannot download browsers
    here), started when first asked for."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def playwright(self) -> Any:
        if self._playwright is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
        return self._playwright

    def browser(self) -> Any:
        if self._browser is None:
            self._browser = self.playwright().chromium.launch(executable_path=CHROMIUM,
                                                              args=CHROMIUM_ARGS)
        return self._browser

    def stop(self) -> None:
        browser, playwright, self._browser, self._playwright = (
            self._browser, self._playwright, None, None)
        try:
            if browser is not None:
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()


CHROMIUM_KEY = pytest.StashKey[Chromium]()


def uses_chromium(item: pytest.Item) -> bool:
    return "chromium" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that use the browser last, in their order (see above)."""
    items[:] = sorted(items, key=uses_chromium)  # stable: the order stays within each part


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        yield
    finally:
        chromium = item.config.stash.get(CHROMIUM_KEY, None)
        if chromium is not None and (nextitem is None or not uses_chromium(nextitem)):
            chromium.stop()


@pytest.fixture(scope="session")
def chromium(pytestconfig: pytest.Config) -> Iterator[Chromium]:
    """The session's Playwright and Chromium; tests take ``browser``, ``new_context`` or
    ``playwright``."""
    require(f"Chromium at {CHROMIUM} (apt-get install chromium)", not Path(CHROMIUM).exists())
    chromium = pytestconfig.stash[CHROMIUM_KEY] = Chromium()
    yield chromium
    chromium.stop()
    del pytestconfig.stash[CHROMIUM_KEY]


@pytest.fixture
def playwright(chromium: Chromium) -> Any:
    """The session's Playwright, for a test that must launch a browser of its own (a
    switch or an environment a context cannot have); it closes that browser itself."""
    return chromium.playwright()


@pytest.fixture
def browser(chromium: Chromium) -> Any:
    """The session's Chromium. Open pages in ``new_context()``, never in the browser's
    own default context, so that nothing carries over to the next test."""
    return chromium.browser()


@pytest.fixture
def new_context(browser: Any) -> Iterator:
    """``new_context(**options)``: a fresh context of the session's Chromium (Playwright's
    ``browser.new_context``), closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def load_fixture():
    """``load_fixture(name)``: the JSON of a file in fixtures/."""
    return lambda name: json.loads((FIXTURES / name).read_text())


@pytest.fixture
def app() -> Flask:
    return create_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def store(app: Flask) -> Store:
    return store_of(app)


@pytest.fixture
def new_pin(client: FlaskClient):
    """Create a pin through the API and return its JSON."""

    def create(query: str = "", headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = client.post(f"/api/v2/pins.json{query}", headers=headers or HEADERS)
        assert response.status_code == 201, response.text
        return response.get_json()

    return create


@pytest.fixture
def run_pytest(pytester):
    """``run_pytest(*args)``: a pytest of its own over ``pytester``'s files, in a
    subprocess as a user runs it; without the cache and without the plugins of other
    tools the venv holds for other tests (hypothesis and schemathesis alone cost a
    second per run, the mocking plugins another quarter)."""
    left_out = [arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")]
    return lambda *args: pytester.runpytest_subprocess(*left_out, *args)


#: The pytest plugins a ``run_pytest`` subprocess leaves out: no test run that way uses
#: them, and loading them is most of its start-up.
UNUSED_PLUGINS = ("cacheprovider", "schemathesis", "hypothesispytest", "pytest_httpx", "respx",
                  "pytest_httpserver", "requests_mock")


LISTENING = re.compile(r"mockplex listening on (http://[0-9.]+:\d+)\n")
STARTUP_TIMEOUT = 30


def start_serve(*args: str, command: tuple[str, ...] = (sys.executable, "-m", "mockplex")):
    """`mockplex serve ARGS` in a process; returns it and the first line it printed."""
    proc = subprocess.Popen([*command, "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], STARTUP_TIMEOUT)
    if not ready:
        proc.kill()
        pytest.fail(f"mockplex serve printed nothing in {STARTUP_TIMEOUT} s")
    return proc, proc.stdout.readline()


@pytest.fixture
def serve() -> Iterator:
    """Start `mockplex serve ARGS` processes: ``proc, url = serve(...)``; each is killed
    (if still running) and its pipes closed after the test."""
    procs: list[subprocess.Popen] = []

    def run(*args: str, **kwargs):
        proc, line = start_serve(*args, **kwargs)
        procs.append(proc)
        match = LISTENING.fullmatch(line)
        assert match, f"unexpected first line {line!r}; stderr: {proc.stderr.read()}"
        return proc, match.group(1)

    yield run
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
