"""``mockplex run [options] -- CMD`` as a CI step runs it: a real process around a real
command (``sh`` and ``curl``), real signals, real sockets. Synchronised by what the
processes print and by FIFOs, never by waiting a while."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading

import pytest

from mockplex.cli import main, parser, subcommand
from tests.values import HEADERS

RUN = (sys.executable, "-m", "mockplex", "run")
TIMEOUT = 30  # seconds, for a run that should take well under one
CLIENT = f"X-Plex-Client-Identifier: {HEADERS['X-Plex-Client-Identifier']}"
CREATE_PIN = f"curl -sS -o /dev/null -X POST -H '{CLIENT}' \"$MOCKPLEX_URL/api/v2/pins\""


def mockplex_run(*args: str, cmd: str, cwd=None) -> subprocess.CompletedProcess[str]:
    """``mockplex run ARGS -- sh -c CMD``, to its end."""
    return subprocess.run([*RUN, *args, "--", "sh", "-c", cmd], capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL, cwd=cwd)


def start_run(*args: str, cmd: str, cwd=None) -> subprocess.Popen[str]:
    """``mockplex run ARGS -- sh -c CMD``, started (in a session of its own: a terminal's
    Ctrl-C is no part of these tests)."""
    return subprocess.Popen([*RUN, *args, "--", "sh", "-c", cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True, cwd=cwd)


def end(proc: subprocess.Popen[str]) -> str:
    """Kill what is left of ``proc``'s session (CMD's own children too); its stderr."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.communicate()[1]


def open_when_read(fifo) -> int:
    """The write end of ``fifo``, opened once a reader has opened it (or fail within
    :data:`TIMEOUT` seconds)."""
    opened: list[int] = []
    opener = threading.Thread(target=lambda: opened.append(os.open(fifo, os.O_WRONLY)),
                              daemon=True)
    opener.start()
    opener.join(TIMEOUT)
    if not opened:
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # frees the opener
        pytest.fail(f"nobody opened {fifo} in {TIMEOUT} s")
    return opened[0]


def refused(url: str) -> bool:
    host, port = url.rsplit("/", 1)[1].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


# -- CMD's status is run's ------------------------------------------------------------

@pytest.mark.parametrize("status", [0, 1, 7])
def test_cmd_status_passes_through(status, tmp_path):
    done = mockplex_run(cmd=f"{CREATE_PIN} && exit {status}", cwd=tmp_path)
    assert done.returncode == status, done.stderr
    assert done.stdout == ""  # mockplex's own lines are on stderr
    assert re.match(r"mockplex listening on http://127\.0\.0\.1:\d+\n", done.stderr)
    assert '"POST /api/v2/pins" 201' in done.stderr and "Traceback" not in done.stderr


def test_a_cmd_killed_by_a_signal_gives_128_plus_its_number_and_stops_the_mock(tmp_path):
    har = tmp_path / "mock.har"
    done = mockplex_run("--har", str(har), cmd=f'{CREATE_PIN}; {CREATE_PIN}; '
                        'echo "$MOCKPLEX_URL"; kill -KILL $$')
    assert done.returncode == 128 + signal.SIGKILL, done.stderr
    assert len(json.loads(har.read_text())["log"]["entries"]) == 2  # finished all the same
    assert refused(done.stdout.strip())


def test_cmd_gets_only_its_own_stdout(tmp_path):
    done = mockplex_run(cmd='echo "out"; echo "err" >&2', cwd=tmp_path)
    assert done.stdout == "out\n"
    assert done.stderr.splitlines()[-1] == "err"


def test_a_cmd_not_found_or_not_executable_is_127_or_126(tmp_path):
    absent = subprocess.run([*RUN, "--", str(tmp_path / "absent")], capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert absent.returncode == 127 and "absent: not found" in absent.stderr
    (tmp_path / "plain").write_text("not a program")
    plain = subprocess.run([*RUN, "--", str(tmp_path / "plain")], capture_output=True,
                           text=True, timeout=TIMEOUT)
    assert plain.returncode == 126 and "plain: cannot execute" in plain.stderr


# -- a mock that cannot start: exit 2, CMD never runs ---------------------------------

def test_a_port_taken_exits_2_at_once_and_never_runs_cmd(tmp_path):
    marker = tmp_path / "ran"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = mockplex_run("--port", port, cmd=f"touch {marker}")
    assert done.returncode == 2
    assert f"mockplex: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "another mockplex (or another program) listens there: give another --port, " \
           "or --port 0 for a free one" in done.stderr
    assert "sh was not run" in done.stderr and "Traceback" not in done.stderr
    assert not marker.exists()


@pytest.mark.parametrize(("args", "problem"), [
    (["--scenario", "absent.json"], "absent.json"),
    (["--env-file", "x.env"], "mockplex run: error: --env-file needs --proxy-port"),
    (["--har", "no/such/folder/x.har"], "mockplex: --har no/such/folder/x.har"),
    (["--host", "nosuch.invalid"], "mockplex: cannot listen on nosuch.invalid:0"),
])
def test_a_mock_refused_at_start_exits_2_with_its_message_and_never_runs_cmd(
        tmp_path, args, problem):
    marker = tmp_path / "ran"
    done = mockplex_run(*args, cmd=f"touch {marker}", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert problem in done.stderr and "Traceback" not in done.stderr
    assert not marker.exists()


def test_a_mock_not_ready_in_time_exits_2_and_never_runs_cmd(tmp_path):
    """A scenario file that is a FIFO nobody writes: the start never ends."""
    fifo = tmp_path / "scenario.json"
    os.mkfifo(fifo)
    marker = tmp_path / "ran"
    done = mockplex_run("--scenario", str(fifo), "--ready-timeout", "0.3",
                        cmd=f"touch {marker}")
    assert done.returncode == 2
    assert "the mock was not listening within 0.3 s (--ready-timeout); sh was not run" in (
        done.stderr)
    assert not marker.exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_before_cmd_starts_ends_run_and_cmd_never_runs(tmp_path, signum):
    fifo = tmp_path / "scenario.json"
    os.mkfifo(fifo)
    marker = tmp_path / "ran"
    proc = start_run("--scenario", str(fifo), cmd=f"touch {marker}")
    try:
        writer = open_when_read(fifo)  # run is reading it: the mock is starting
        proc.send_signal(signum)
        assert proc.wait(timeout=TIMEOUT) == 128 + signum
        os.close(writer)
    finally:
        err = end(proc)
    assert not marker.exists()
    assert "Traceback" not in err


def test_no_command_is_a_usage_error(capsys):
    for argv in (["run"], ["run", "--port", "0", "--"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
        assert "mockplex run: error: no command to run: give it after --" in (
            capsys.readouterr().err)


def test_a_command_given_without_the_dashes_is_named_with_the_fix(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["run", "--quiet", "curl", "-sS", "http://x"])
    assert exited.value.code == 2
    assert ("mockplex run: error: unrecognized arguments: curl -sS http://x; give the "
            "command to run after --") in capsys.readouterr().err


def test_an_unknown_option_of_serve_is_argparses_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--nope"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --nope" in capsys.readouterr().err


def test_serve_still_takes_no_command(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--", "true"])
    assert exited.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "problem"), [
    (["--ready-timeout", "0"], "must be more than 0"),
    (["--ready-timeout", "soon"], "not a number"),
    (["--port", "70000"], "must be 0 to 65535"),
])
def test_bad_options_exit_2(capsys, args, problem):
    with pytest.raises(SystemExit) as exited:
        main(["run", *args, "--", "true"])
    assert exited.value.code == 2
    assert problem in capsys.readouterr().err


# -- --strict, --har ------------------------------------------------------------------

NOPE = 'curl -s -o /dev/null "$MOCKPLEX_URL/api/v2/nope"'


def test_strict_turns_a_cmd_exit_0_into_3_listing_the_problem(tmp_path):
    done = mockplex_run("--strict", cmd=f"{NOPE}; {CREATE_PIN}", cwd=tmp_path)
    assert done.returncode == 3
    assert "mockplex: --strict: 1 problem(s) seen:" in done.stderr
    assert "GET /api/v2/nope: mockplex does not emulate" in done.stderr


def test_strict_keeps_a_failing_cmd_status_and_still_lists_the_problem(tmp_path):
    done = mockplex_run("--strict", cmd=f"{NOPE}; exit 1", cwd=tmp_path)
    assert done.returncode == 1
    assert "GET /api/v2/nope: mockplex does not emulate" in done.stderr


def test_strict_with_nothing_seen_keeps_0(tmp_path):
    done = mockplex_run("--strict", cmd=CREATE_PIN, cwd=tmp_path)
    assert done.returncode == 0 and "--strict" not in done.stderr


def test_the_har_file_is_complete_and_valid_when_run_returns(tmp_path):
    har = tmp_path / "mock.har"
    requests = 7
    done = mockplex_run("--har", str(har), cmd=f"for i in $(seq {requests}); do "
                                               f"{CREATE_PIN}; done")
    assert done.returncode == 0, done.stderr
    entries = json.loads(har.read_text())["log"]["entries"]
    assert [entry["request"]["method"] for entry in entries] == ["POST"] * requests
    assert {entry["response"]["status"] for entry in entries} == {201}


def test_a_har_file_that_cannot_be_written_at_the_end_keeps_the_verdict(tmp_path):
    """Its folder gone when the mock stops (a full disk would do as much): said on
    stderr, and run still exits with the --strict verdict, not a traceback."""
    folder = tmp_path / "har"
    folder.mkdir()
    done = mockplex_run("--strict", "--har", str(folder / "mock.har"),
                        cmd=f"curl -sS -o /dev/null \"$MOCKPLEX_URL/api/v2/nope\"; "
                            f"rm -rf {folder}")
    assert done.returncode == 3, done.stderr
    assert f"mockplex: --har {folder / 'mock.har'}:" in done.stderr
    assert "/api/v2/nope" in done.stderr and "Traceback" not in done.stderr


# -- what CMD's environment holds -----------------------------------------------------

def child_env(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def test_cmd_gets_mockplex_url_and_nothing_of_a_proxy_by_default(tmp_path):
    done = mockplex_run(cmd="env", cwd=tmp_path)
    env = child_env(done)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", env["MOCKPLEX_URL"])
    assert f"mockplex listening on {env['MOCKPLEX_URL']}\n" in done.stderr
    assert "MOCKPLEX_TLS_URL" not in env
    assert env.get("HTTPS_PROXY") == os.environ.get("HTTPS_PROXY")
    assert env.get("MOCKPLEX_CONTROL_TOKEN") == os.environ.get("MOCKPLEX_CONTROL_TOKEN")
    assert env["PATH"] == os.environ["PATH"]  # run's own environment besides


@pytest.mark.parametrize(("host", "local"), [("0.0.0.0", "127.0.0.1"), ("::", "[::1]")])
def test_a_wildcard_host_gives_cmd_its_loopback(tmp_path, host, local):
    """http://0.0.0.0:PORT names no host the mock answers (the Host rule refuses a
    wildcard): CMD gets the loopback address, which it answers."""
    done = mockplex_run("--host", host, cmd="env; curl -sS -o /dev/null -w '%{http_code}' "
                                              "\"$MOCKPLEX_URL/_mockplex/health\"")
    assert done.returncode == 0, done.stderr
    assert child_env(done)["MOCKPLEX_URL"].startswith(f"http://{local}:")
    assert done.stdout.endswith("200")


def test_with_a_proxy_port_curl_reaches_plex_tv_through_it(tmp_path):
    done = mockplex_run(
        "--proxy-port", "0", "--ca-dir", str(tmp_path / "ca"),
        cmd="curl -s -o /dev/null -w '%{http_code}' -X POST "
            f"-H '{CLIENT}' https://plex.tv/api/v2/pins")
    assert done.stdout == "201", done.stderr  # and nothing else on CMD's stdout
    assert re.search(r"^mockplex proxy on http://127\.0\.0\.1:\d+$", done.stderr, re.M)


def test_with_a_proxy_port_cmd_gets_what_the_env_file_holds(tmp_path):
    env_file = tmp_path / "mock.env"
    done = mockplex_run("--proxy-port", "0", "--tls-port", "0",
                        "--ca-dir", str(tmp_path / "ca"), "--env-file", str(env_file),
                        cmd="env")
    env = child_env(done)
    written = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    assert {key: env[key] for key in written} == written
    assert env["HTTPS_PROXY"] == env["https_proxy"] == env["HTTP_PROXY"] == re.search(
        r"^mockplex proxy on (\S+)$", done.stderr, re.M).group(1)
    assert env["CURL_CA_BUNDLE"] == str(tmp_path / "ca" / "bundle.pem")
    assert env["MOCKPLEX_TLS_URL"] == re.search(r"^mockplex tls on (\S+)$", done.stderr,
                                                re.M).group(1)


def test_with_a_tls_port_cmd_gets_its_url_and_trusts_it(tmp_path):
    done = mockplex_run(
        "--tls-port", "0", "--ca-dir", str(tmp_path / "ca"),
        cmd='port="${MOCKPLEX_TLS_URL##*:}"; curl -sS -o /dev/null -w "%{http_code}" '
            f"-X POST -H '{CLIENT}' --connect-to \"plex.tv:443:127.0.0.1:$port\" "
            "https://plex.tv/api/v2/pins")
    assert done.stdout == "201", done.stderr
    assert re.search(r"^mockplex tls on https://127\.0\.0\.1:\d+$", done.stderr, re.M)


def test_a_control_token_reaches_cmd(tmp_path):
    status = 'curl -s -o /dev/null -w "%{http_code} " "$MOCKPLEX_URL/_mockplex/pins"'
    done = mockplex_run("--control-token", "sekrit-token",
                        cmd=f'echo "$MOCKPLEX_CONTROL_TOKEN"; {status}; '
                            f"{status} -H \"X-Mockplex-Token: $MOCKPLEX_CONTROL_TOKEN\"",
                        cwd=tmp_path)
    assert done.stdout == "sekrit-token\n401 200 ", done.stderr


# -- signals --------------------------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_to_run_is_passed_on_to_cmd_and_then_the_mock_stops(tmp_path, signum):
    name = signal.Signals(signum).name.removeprefix("SIG")
    got = tmp_path / "got"
    proc = start_run(cmd=f'trap \'echo {name} > {got}; kill "$pid"; exit 5\' {name}; '
                         'sleep 60 & pid=$!; echo "$MOCKPLEX_URL"; wait "$pid"')
    try:
        url = proc.stdout.readline().strip()  # CMD has set its trap
        assert url.startswith("http://127.0.0.1:"), proc.stderr.read()
        proc.send_signal(signum)
        assert proc.wait(timeout=TIMEOUT) == 5
    finally:
        err = end(proc)
    assert got.read_text() == f"{name}\n"
    assert refused(url)
    assert "Traceback" not in err


def test_run_keeps_running_until_cmd_ends_after_a_signal(tmp_path):
    """CMD may take its time to end (a test suite's teardown): run waits for it."""
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    proc = start_run(cmd=f"trap 'read line < {gate}; kill $pid; exit 4' TERM; "
                         "sleep 60 & pid=$!; echo up; wait $pid")
    try:
        assert proc.stdout.readline() == "up\n"
        proc.send_signal(signal.SIGTERM)
        writer = open_when_read(gate)  # CMD's trap is running, and waits for the gate
        assert proc.poll() is None  # so run waits too
        os.write(writer, b"go\n")
        os.close(writer)
        assert proc.wait(timeout=TIMEOUT) == 4
    finally:
        end(proc)


# -- --help: the options are serve's, and it says what CMD gets and what run exits ----

def test_run_takes_every_serve_option_and_its_own():
    def options(name: str) -> set[str]:
        return {option for action in subcommand(parser(), name)._actions
                for option in action.option_strings}

    assert options("run") == options("serve") | {"--ready-timeout"}
    assert parser().parse_args(["run"]).port == 0
    assert parser().parse_args(["serve"]).port != 0


def test_help_says_what_cmd_gets_and_the_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("usage: mockplex run [options] -- CMD [ARG ...]\n")
    for said in ("MOCKPLEX_URL", "MOCKPLEX_TLS_URL", "MOCKPLEX_CONTROL_TOKEN", "HTTPS_PROXY",
                 "--ready-timeout seconds (default 30)", "Exit status:", "128+N",
                 "  2  ", "  3  ", "126, 127", "stderr"):
        assert said in shown, said
