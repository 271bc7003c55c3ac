"""Unchanged programs in three languages, given nothing but the env file's variables
(``mockplex_proxy.env``), run plex.tv's PIN flow against https://plex.tv and land on
the mock: python-plexapi and httpx; Node with @lukehagar/plexjs on its built-in fetch
and axios; a Go program on net/http. The human step in between is the test's
``mockplex.verify``.

In CI these must run: a missing Node, Go or npm package fails there. Locally they skip
with a reason (`make test` installs the npm packages when npm is there).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import require, require_node

ROOT = Path(__file__).resolve().parents[2]
NODE_APP = ROOT / ".venv" / "node" / "app"
TIMEOUT = 60


def read_json_line(proc: subprocess.Popen[str]) -> dict:
    ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
    line = proc.stdout.readline() if ready else ""
    if not line:
        proc.kill()
        pytest.fail(f"the program printed nothing (exit {proc.wait()}): {proc.stderr.read()}")
    return json.loads(line)


def run_with_approval(mockplex, command: list[str], env: dict[str, str],
                      cwd: Path | None = None) -> tuple[dict, dict, str]:
    """Run ``command``; when it prints its pin, approve the pin on the mock and tell it to
    go on. Returns its two JSON lines and what it wrote to stderr."""
    with subprocess.Popen(command, env=env, cwd=cwd, text=True, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        created = read_json_line(proc)
        token = mockplex.verify(created["pinId"])
        proc.stdin.write("approved\n")
        proc.stdin.flush()
        finished = read_json_line(proc)
        assert proc.wait(TIMEOUT) == 0, proc.stderr.read()
        assert finished["token"] == token
        return created, finished, proc.stderr.read()


def test_python_plexapi_and_httpx_with_only_the_env_files_variables(mockplex,
                                                                   mockplex_proxy):
    script = ROOT / "tests" / "unchanged" / "clients" / "python_pin_login.py"
    _, finished, _ = run_with_approval(mockplex, [sys.executable, str(script)],
                                       env=mockplex_proxy.env)
    assert finished["plexapi"] == "mockplex" and finished["httpx"] == [200, "mockplex"]
    assert [entry.path for entry in mockplex.requests] == [
        "/api/v2/pins", f"/api/v2/pins/{mockplex.store.pins()[0].id}", "/api/v2/user",
        "/api/v2/user"]


def test_node_plexjs_on_fetch_and_axios_with_only_the_env_files_variables(
        mockplex, mockplex_proxy):
    node = require_node("undici", NODE_APP)
    script = ROOT / "tests" / "unchanged" / "node" / "unchanged_app.cjs"
    _, finished, stderr = run_with_approval(
        mockplex, [str(node), str(script)], env=mockplex_proxy.env, cwd=NODE_APP)
    assert finished["status"] == [201, 200, 200] and finished["username"] == "mockplex"
    assert "mockplex:" not in stderr  # the preload found undici
    assert [entry.path for entry in mockplex.requests][-1] == "/api/v2/user"


GUARD = ROOT / "tests" / "unchanged" / "node" / "loopback_guard.cjs"
FETCH_SCRIPT = ROOT / "tests" / "unchanged" / "node" / "fetch_plex_tv.cjs"


def run_guarded_node(args: list[str], env: dict[str, str], cwd: Path
                     ) -> subprocess.CompletedProcess[str]:
    """``node`` with the loopback guard loaded: a lookup of (or a connection to) any host
    but loopback fails at once, prints ``loopback-guard: refused ...`` and makes the exit
    status 86."""
    node = require_node()
    return subprocess.run([str(node), f"--require={GUARD}", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=TIMEOUT)


def test_the_loopback_guard_catches_nodes_fetch_going_direct(tmp_path):
    # Without the env file's preload, Node 20's fetch to plex.tv would look plex.tv up:
    # the guard refuses that lookup, so the tests below can tell "never direct" apart.
    done = run_guarded_node(
        ["-e", "fetch('https://plex.tv/').catch((error) => console.log(error.cause.message))"],
        env={}, cwd=tmp_path)
    assert done.returncode == 86, done.stderr
    assert "loopback-guard: refused a lookup of plex.tv" in done.stderr


@pytest.mark.parametrize("undici", [None, "module.exports = { setGlobalDispatcher() {} };"],
                         ids=["no-undici", "undici-without-EnvHttpProxyAgent"])
def test_node_fetch_without_a_usable_undici_fails_closed_before_any_lookup(
        mockplex, mockplex_proxy, tmp_path, undici):
    # The program in a folder with no usable undici (none at all, or one too old to
    # have EnvHttpProxyAgent), run from there.
    app = tmp_path / "app"
    app.mkdir()
    if undici is not None:
        (app / "node_modules" / "undici").mkdir(parents=True)
        (app / "node_modules" / "undici" / "index.js").write_text(undici)
    script = Path(shutil.copy(FETCH_SCRIPT, app))
    with redirector("http://plex.tv/api/v2/pins.json") as redirect_url:
        done = run_guarded_node([str(script)], cwd=app,
                                env={**mockplex_proxy.env, "REDIRECTOR_URL": redirect_url})
    assert done.returncode == 0 and "loopback-guard" not in done.stderr, done.stderr
    warning = "undici was not found from" if undici is None else "has no EnvHttpProxyAgent"
    assert warning in done.stderr  # one line at start, naming the fix
    assert "npm install --save-dev undici@6" in done.stderr
    result = json.loads(done.stdout)
    for how in ("string", "url", "request"):
        assert result[how]["error"] == "TypeError", result[how]
        assert result[how]["code"] == "MOCKPLEX_NO_PROXY"
        assert "fetch to plex.tv refused" in result[how]["message"]
        assert "npm install --save-dev undici@6" in result[how]["message"]
        assert "Node 22.21+" in result[how]["message"]
    assert result["health"]["status"] == 200  # loopback still works
    # fetch's own redirect from loopback to plex.tv is refused by the dispatcher behind it
    assert result["redirect"]["error"] == "TypeError", result["redirect"]
    assert "fetch to plex.tv refused" in result["redirect"]["cause"]
    assert mockplex.requests == []  # nothing reached plex.tv's hosts, not even the mock


@contextlib.contextmanager
def redirector(location: str) -> Iterator[str]:
    """A server on loopback that answers every GET with a 302 to ``location``."""

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_node_fetch_finds_undici_from_its_scripts_folder(mockplex, mockplex_proxy, tmp_path):
    require(f"Node app packages in {NODE_APP} (make test installs them)",
            not (NODE_APP / "node_modules" / "undici").is_dir())
    app, elsewhere = tmp_path / "app", tmp_path / "elsewhere"
    app.mkdir()
    elsewhere.mkdir()
    (app / "node_modules").symlink_to(NODE_APP / "node_modules", target_is_directory=True)
    script = Path(shutil.copy(FETCH_SCRIPT, app))
    done = run_guarded_node([str(script)], env=mockplex_proxy.env, cwd=elsewhere)
    assert done.returncode == 0 and "loopback-guard" not in done.stderr, done.stderr
    assert "mockplex:" not in done.stderr  # the preload found undici
    result = json.loads(done.stdout)
    assert [result[how]["status"] for how in ("string", "url", "request")] == [201] * 3
    assert result["health"]["status"] == 200
    assert [entry.path for entry in mockplex.requests] == ["/api/v2/pins.json"] * 3


@pytest.fixture(scope="session")
def go_program(tmp_path_factory) -> Path:
    """tests/unchanged/go/pinflow.go built with Debian's Go (its build cache kept in .venv)."""
    go = shutil.which("go")
    require("Go (apt-get install golang-go)", go is None)
    binary = tmp_path_factory.mktemp("go") / "pinflow"
    env = {"PATH": os.environ["PATH"], "HOME": str(binary.parent),
           "GOCACHE": str(ROOT / ".venv" / "go-cache"), "GOPATH": str(binary.parent / "gopath"),
           "GOFLAGS": "-mod=mod", "GO111MODULE": "off", "CGO_ENABLED": "0"}
    done = subprocess.run([str(go), "build", "-o", str(binary),
                           str(ROOT / "tests" / "unchanged" / "go" / "pinflow.go")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return binary


def test_a_go_program_with_only_the_env_files_variables(mockplex, mockplex_proxy, go_program):
    created, finished, _ = run_with_approval(mockplex, [str(go_program)],
                                             env=mockplex_proxy.env)
    assert created["status"] == 201 and finished["status"] == 200
