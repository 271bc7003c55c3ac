"""``mockplex serve --proxy-port/--tls-port/--env-file`` and ``mockplex ca`` as a user
runs them: a real process whose env file points curl at the mock, and which a signal
stops at once with its tunnels busy."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import threading

import pytest

from mockplex.cli import main
from tests.values import HEADERS

LINE = re.compile(r"mockplex (proxy|tls) on (https?://127\.0\.0\.1:\d+)\n")
TUNNELS = 10


def read_env(path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_serve_prints_each_listener_and_writes_the_env_file(serve, tmp_path):
    env_file = tmp_path / "mock.env"
    proc, url = serve("--port", "0", "--proxy-port", "0", "--tls-port", "0",
                      "--ca-dir", str(tmp_path / "ca"), "--env-file", str(env_file))
    lines = [LINE.fullmatch(proc.stdout.readline()) for _ in range(2)]
    assert [match.group(1) for match in lines if match] == ["proxy", "tls"]
    proxy_url = lines[0].group(2)
    env = read_env(env_file)  # written before the lines were printed
    assert env_file.stat().st_mode & 0o777 == 0o600  # it may carry proxy credentials
    assert env["HTTPS_PROXY"] == env["https_proxy"] == env["HTTP_PROXY"] == proxy_url
    assert env["NO_PROXY"] == "localhost,127.0.0.1,::1" and env["MOCKPLEX_URL"] == url
    assert env["MOCKPLEX_TLS_URL"] == lines[1].group(2)  # with --tls-port only
    assert env["SSL_CERT_FILE"] == env["REQUESTS_CA_BUNDLE"] == env["CURL_CA_BUNDLE"] == str(
        tmp_path / "ca" / "bundle.pem")
    assert env["NODE_EXTRA_CA_CERTS"] == str(tmp_path / "ca" / "ca.pem")
    assert env["NODE_USE_ENV_PROXY"] == "1"
    assert env["NODE_OPTIONS"].startswith("--require=") and os.path.isfile(
        env["NODE_OPTIONS"].removeprefix("--require="))
    done = subprocess.run(  # `env $(cat file) curl ...`, as a CI step would
        ["env", "-i", f"PATH={os.environ['PATH']}", *env_file.read_text().split(),
         "curl", "-sS", "-X", "POST", "-H", f"X-Plex-Client-Identifier: "
         f"{HEADERS['X-Plex-Client-Identifier']}", "-H", "Accept: application/json",
         "https://plex.tv/api/v2/pins"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["expiresIn"] == 900
    proc.terminate()
    assert proc.wait(timeout=10) == 0


def test_the_env_file_names_no_tls_listener_without_one(serve, tmp_path):
    env_file = tmp_path / "mock.env"
    serve("--port", "0", "--proxy-port", "0", "--ca-dir", str(tmp_path / "ca"),
          "--env-file", str(env_file))
    env = read_env(env_file)
    assert "MOCKPLEX_TLS_URL" not in env and env["HTTPS_PROXY"].startswith("http://")


def test_the_env_file_never_carries_the_control_token(serve, tmp_path):
    env_file = tmp_path / "mock.env"
    serve("--port", "0", "--proxy-port", "0", "--control-token", "sekrit-token",
          "--ca-dir", str(tmp_path / "ca"), "--env-file", str(env_file))
    assert "sekrit-token" not in env_file.read_text()


def test_mockplex_ca_prints_the_certificate_path_making_it_once(tmp_path):
    printed = [subprocess.run([sys.executable, "-m", "mockplex", "ca", "--ca-dir",
                               str(tmp_path)], capture_output=True, text=True,
                              timeout=30).stdout for _ in range(2)]
    assert printed == [f"{tmp_path / 'ca.pem'}\n"] * 2
    assert "BEGIN CERTIFICATE" in (tmp_path / "ca.pem").read_text()


@pytest.mark.parametrize(("args", "problem"), [
    (["--env-file", "x.env"], "--env-file needs --proxy-port"),
    (["--proxy-passthrough", "example.com"], "--proxy-passthrough needs --proxy-port"),
    (["--proxy-port", "0", "--proxy-host", "0.0.0.0"], "give it --proxy-credentials"),
    (["--proxy-port", "0", "--proxy-credentials", "nocolon"], "USER:PASSWORD"),
    (["--proxy-port", "0", "--proxy-passthrough", "example.com:443"], "no ports"),
    (["--tls-port", "65536"], "must be 0 to 65535"),
])
def test_bad_proxy_options_exit_2_with_a_message(capsys, args, problem):
    with pytest.raises(SystemExit) as exited:
        main(["serve", *args])
    assert exited.value.code == 2
    assert problem in capsys.readouterr().err


def test_a_ca_folder_holding_something_else_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "ca-key.pem").write_text("not a key")
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--proxy-port", "0", "--ca-dir", str(tmp_path)])
    assert "is not a mockplex CA" in str(exited.value.code)


def poll_through_a_tunnel(port: int, context: ssl.SSLContext,
                          polled: threading.Barrier) -> None:
    """Create a pin and poll it as fast as the answers come, on one kept-alive tunnel
    (CONNECT plex.tv:443 through the proxy on ``port``), until the proxy closes it;
    ``polled`` is passed once the first poll is answered."""
    tunnel = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    tunnel.set_tunnel("plex.tv", 443)
    headers = {**HEADERS, "Accept": "application/json"}
    try:
        tunnel.request("POST", "/api/v2/pins.json", headers=headers)
        pin = json.loads(tunnel.getresponse().read())
        path = f"/api/v2/pins/{pin['id']}"
        tunnel.request("GET", path, headers=headers)
        assert tunnel.getresponse().read()
    except BaseException:
        polled.abort()
        raise
    polled.wait()
    try:
        while True:
            tunnel.request("GET", path, headers=headers)
            tunnel.getresponse().read()
    except (OSError, http.client.HTTPException):
        pass  # the proxy stopped: the tunnel is closed
    finally:
        tunnel.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_with_busy_tunnels_exits_0_within_5_s_and_silently(serve, tmp_path, signum):
    """The proxy's stop with clients polling through it: every connection ends, no task
    is left pending, nothing is printed (Python 3.11's asyncio once printed hundreds of
    lines and took 10 s)."""
    proc, _ = serve("--port", "0", "--proxy-port", "0", "--ca-dir", str(tmp_path), "--quiet")
    proxy = LINE.fullmatch(proc.stdout.readline())
    assert proxy and proxy.group(1) == "proxy"
    proxy_port = int(proxy.group(2).rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=str(tmp_path / "bundle.pem"))
    polled = threading.Barrier(TUNNELS + 1)
    clients = [threading.Thread(target=poll_through_a_tunnel, daemon=True,
                                args=(proxy_port, context, polled)) for _ in range(TUNNELS)]
    for client in clients:
        client.start()
    polled.wait(timeout=30)  # each has been answered once, and polls on
    proc.send_signal(signum)
    assert proc.wait(timeout=5) == 0  # the promise (a stop normally takes milliseconds)
    assert proc.stderr.read() == ""
    for client in clients:
        client.join(timeout=10)
        assert not client.is_alive()
