from __future__ import annotations

import ipaddress
import json
import os
import re
import select
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


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's headless Chromium, driven by Playwright (which cannot download browsers
    here)."""
    require(f"Chromium at {CHROMIUM} (apt-get install chromium)", not Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
    subprocess as a user runs it; without the cache and without schemathesis's plugin,
    whose import alone costs a second per run."""
    return lambda *args: pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:schemathesis", *args)


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
