"""``mockplex serve`` as a user runs it: a real process, real signals, a real socket."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from mockplex.cli import main
from tests.values import HEADERS


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serves_then_exits_0_on_a_signal(serve, signum):
    proc, url = serve("--port", "0")
    assert url.startswith("http://127.0.0.1:")  # loopback unless told otherwise
    assert requests.post(url + "/api/v2/pins", headers=HEADERS, timeout=5).status_code == 201
    proc.send_signal(signum)
    assert proc.wait(timeout=10) == 0
    assert proc.stdout.read() == ""  # the listening line was the only one
    log = proc.stderr.read()
    assert '"POST /api/v2/pins" 201' in log
    assert "Traceback" not in log, log


def test_logs_one_line_per_request(serve):
    proc, url = serve("--port", "0")
    for path in ("/_mockplex/health", "/api/v2/pins/1", "/nowhere"):
        requests.get(url + path, headers=HEADERS, timeout=5)
    proc.terminate()
    proc.wait(timeout=10)
    access = [line for line in proc.stderr.read().splitlines() if "mockplex.access" in line]
    assert [line.split('"', 1)[1] for line in access] == [
        'GET /_mockplex/health" 200', 'GET /api/v2/pins/1" 404', 'GET /nowhere" 404']


def test_the_console_script_and_options(serve):
    script = Path(sys.executable).with_name("mockplex")
    _, url = serve("--port", "0", "--pin-lifetime", "60", "--strong-pin-lifetime", "120",
                   "--base-url", "https://mock.example", command=(str(script),))
    weak = requests.post(url + "/api/v2/pins.json", headers=HEADERS, timeout=5).json()
    strong = requests.post(url + "/api/v2/pins.json?strong=true", headers=HEADERS,
                           timeout=5).json()
    assert (weak["expiresIn"], strong["expiresIn"]) == (60, 120)
    assert weak["qr"] == f"https://mock.example/api/v2/pins/qr/{weak['code']}"


def test_a_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run([sys.executable, "-m", "mockplex", "serve", "--port", port],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


@pytest.mark.parametrize(("args", "problem"), [
    (["--port", "70000"], "must be 0 to 65535"),
    (["--port", "http"], "not a whole number"),
    (["--pin-lifetime", "0"], "must be 1 to 3153600000"),
    (["--strong-pin-lifetime", "soon"], "not a whole number"),
    (["--pin-lifetime", "9" * 20], "must be 1 to 3153600000"),  # past what a date holds
    (["--pin-lifetime", "9" * 5000], "not a whole number"),
    (["--threads", "100000"], "must be 1 to 256"),
    (["--max-pins", "-1"], "must be 1 to"),
    (["--base-url", "ftp://mock.example"], "an http(s) URL"),
    (["--base-url", "http://"], "an http(s) URL"),
    (["--auto-approve", "after-polls=" + "9" * 5000], "bad auto-approve rule"),
    (["--allowed-host", "mock:8080"], "a host name or IPv4 address, no port"),
    (["--allowed-host", "a b"], "a host name or IPv4 address, no port"),
])
def test_bad_options_exit_2_with_a_message(capsys, args, problem):
    with pytest.raises(SystemExit) as exited:
        main(["serve", *args])
    assert exited.value.code == 2
    assert problem in capsys.readouterr().err


# -- renamed options: the old spelling works, and says the new one on stderr --------------

@pytest.mark.parametrize(("old", "new", "dest"), [("--fixtures", "--scenario", "scenario"),
                                                  ("--journal-har", "--har", "har")])
def test_a_renamed_option_still_works_and_warns_in_one_line(capsys, old, new, dest):
    from mockplex.cli import parser

    assert getattr(parser().parse_args(["serve", new, "f.json"]), dest) == "f.json"
    assert capsys.readouterr().err == ""
    assert getattr(parser().parse_args(["serve", old, "f.json"]), dest) == "f.json"
    assert capsys.readouterr().err == (f"mockplex: warning: {old} is deprecated, use {new} "
                                       "(the old spelling goes in 1.0)\n")


@pytest.mark.parametrize(("old", "new"), [("--fixtures", "--scenario"),
                                          ("--journal-har", "--har")])
@pytest.mark.parametrize("new_first", [True, False])
def test_both_spellings_at_once_are_refused(capsys, old, new, new_first):
    """Else one of the two values would be dropped without a word."""
    from mockplex.cli import parser

    given = [new, "a.json", old, "b.json"] if new_first else [old, "b.json", new, "a.json"]
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["serve", *given])
    assert exited.value.code == 2
    first, second = (new, old) if new_first else (old, new)
    assert f"error: {first} and {second} are one option: give it once" in capsys.readouterr().err
    assert parser().parse_args(["serve", new, "a", new, "b"]).__dict__[new[2:]] == "b"


def test_help_names_only_the_new_spellings(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    shown = capsys.readouterr().out
    assert "--scenario FILE" in shown and "--har FILE" in shown
    assert "--fixtures" not in shown and "--journal-har" not in shown


def test_serve_with_the_old_scenario_option(serve, tmp_path):
    scenario = tmp_path / "s.json"
    scenario.write_text('{"accounts": [{"username": "old-spelling"}]}')
    proc, url = serve("--port", "0", "--fixtures", str(scenario))
    users = requests.get(url + "/_mockplex/users", timeout=5).json()
    assert "old-spelling" in [user["username"] for user in users]
    proc.terminate()
    proc.wait(timeout=10)
    assert proc.stderr.read().splitlines()[0] == (
        "mockplex: warning: --fixtures is deprecated, use --scenario (the old spelling "
        "goes in 1.0)")


def test_help_names_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert "{serve,run,ca}" in shown
    assert "run a command with the fake plex.tv beside it" in shown
