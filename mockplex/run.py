"""``mockplex run [options] -- CMD [ARG ...]``: the fake plex.tv around one command, as
``firebase emulators:exec`` or start-server-and-test do it for theirs.

The mock is started in this process (as ``mockplex serve`` starts it: the live server in
a thread; :mod:`mockplex.cli` passes in its start, and this module never imports the
cli), within ``--ready-timeout``; then CMD runs, with the mock's address in its
environment, and SIGINT and SIGTERM passed on to it; when it ends the mock stops as
serve's does, the HAR file is written whole, the ``--strict`` report printed, and run
exits with CMD's status (see :data:`EPILOG`, which ``mockplex run --help`` prints).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockplex.cli import Mock

READY_TIMEOUT = 30.0  # seconds, the default of --ready-timeout
NOT_STARTED = 2  # the mock did not start (as serve's usage errors): CMD was not run
STRICT = 3  # CMD exited 0, but --strict saw problems
CANNOT_EXECUTE, NOT_FOUND = 126, 127  # as env(1) and the shells
SIGNALS = (signal.SIGINT, signal.SIGTERM)  # passed on to CMD

USAGE = "%(prog)s [options] -- CMD [ARG ...]"
DESCRIPTION = """\
Start the fake plex.tv, run CMD (no shell) with the mock's address in its environment,
and stop the mock when CMD ends, exiting with CMD's status: for a CI step or a make
target, as in `mockplex run --strict --har mock.har -- pytest -q`. It takes every option
of `mockplex serve`, but --port defaults to 0 (a free port), and the proxy and TLS
listener run only when --proxy-port or --tls-port is given (0: a free port)."""
EPILOG = f"""\
CMD's environment (CMD's own, nothing else changed):
  run's environment, plus
  MOCKPLEX_URL            http://HOST:PORT, the mock (its plex.tv routes, and its control
                          API under /_mockplex)
  MOCKPLEX_CONTROL_TOKEN  the control token, when one is set (--control-token, or this
                          variable in run's own environment)
  with --proxy-port:      what --env-file writes: HTTPS_PROXY, HTTP_PROXY (and their
                          lower-case spellings; with the credentials of
                          --proxy-credentials), NO_PROXY and no_proxy (loopback),
                          SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE (the system's
                          roots plus mockplex's CA), NODE_EXTRA_CA_CERTS (the CA),
                          NODE_USE_ENV_PROXY, NODE_OPTIONS (a preload for Node's fetch): a
                          program that calls https://plex.tv reaches the mock unchanged
  with --tls-port:        MOCKPLEX_TLS_URL, https://HOST:PORT, the TLS listener (and,
                          without --proxy-port, SSL_CERT_FILE, REQUESTS_CA_BUNDLE,
                          CURL_CA_BUNDLE and NODE_EXTRA_CA_CERTS, to trust its
                          certificates)

Readiness: CMD starts once the mock, and its proxy and TLS listener, accept
connections, and the env file and the HAR file are written; if that takes over
--ready-timeout seconds (default {READY_TIMEOUT:g}), run exits 2 without running CMD.

Output: CMD's standard input, output and error are run's own. mockplex writes only to
stderr (its "mockplex listening on URL" lines, one line per request unless --quiet, the
--strict report), so CMD's stdout is CMD's alone.

Signals: SIGINT and SIGTERM sent to run are passed on to CMD, and run waits for CMD to
end. (At a terminal, Ctrl-C signals CMD directly too: CMD gets SIGINT twice.) One sent
before CMD has started stops the mock, and CMD is not run.

When CMD ends, the mock stops (the requests in flight are answered, for up to 5 s),
the --har file is written whole (valid and complete once run has exited), and the
--strict report is printed.

Exit status:
  CMD's own   CMD exited (0 to 255); with --strict, the problems are listed on
              stderr but the status is CMD's when it is not 0
  128+N       CMD was ended by signal N (or run got signal N before CMD started)
  {NOT_STARTED}           the mock did not start (a bad option, a port taken, a bad scenario
              file, a CA, env file or HAR file that cannot be written, not listening
              within --ready-timeout), with its own message on stderr; or no CMD was
              given. CMD was not run
  {STRICT}           CMD exited 0, but --strict saw problems (the mock failed inside, or was
              asked for a plex.tv route it does not emulate), listed on stderr
  {CANNOT_EXECUTE}, {NOT_FOUND}    CMD could not be executed, or was not found (as env(1))"""


class Interrupted(BaseException):
    """SIGINT or SIGTERM before CMD started (a BaseException: no ``except Exception``
    takes it for a failure of its own)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Runner:
    """One ``mockplex run``: the mock's start within the bound, CMD, the signals."""

    def __init__(self, args: argparse.Namespace, command: Sequence[str],
                 start: Callable[[], Mock]) -> None:
        self.args = args
        self.command = list(command)
        self.start = start
        self.mock: Mock | None = None
        self.failure: BaseException | None = None  # the start's
        self.started = threading.Event()  # the start has ended, started or failed
        self.child: subprocess.Popen[bytes] | None = None
        self.signals: list[int] = []  # received before CMD started
        self.interrupting = True  # while the mock starts, a signal ends the wait for it

    # -- the signals -------------------------------------------------------------------

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        """Pass the signal on to CMD; before it runs, keep it (and end the wait for the
        mock's start, once)."""
        child = self.child
        if child is not None:
            child.send_signal(signum)  # (nothing if it has ended)
            return
        self.signals.append(signum)
        if self.interrupting:
            self.interrupting = False
            raise Interrupted(signum)

    # -- the run -----------------------------------------------------------------------

    def run(self) -> int:
        try:
            threading.Thread(target=self._start, name="mockplex:start", daemon=True).start()
            ready = self.started.wait(self.args.ready_timeout)
            self.interrupting = False
        except Interrupted as interrupted:
            self.interrupting = False
            if self.started.is_set() and self.mock is not None:
                self.mock.stop()  # (a start still under way ends with this process)
            return 128 + interrupted.signum
        if not ready:
            print(f"mockplex run: error: the mock was not listening within "
                  f"{self.args.ready_timeout:g} s (--ready-timeout); {self.command[0]} was "
                  "not run", file=sys.stderr, flush=True)
            return NOT_STARTED
        if self.failure is not None:
            if not isinstance(self.failure, SystemExit):
                raise self.failure  # a bug: its traceback
            if isinstance(self.failure.code, str):
                print(self.failure.code, file=sys.stderr)
            print(f"mockplex run: the mock did not start; {self.command[0]} was not run",
                  file=sys.stderr, flush=True)
            return NOT_STARTED
        mock = self.mock
        assert mock is not None
        try:
            for line in mock.ready_lines():
                print(line, file=sys.stderr, flush=True)
            mock.warm_up()
            status = 128 + self.signals[0] if self.signals else self._run_command(mock)
        finally:
            problems = mock.stop()
        if problems:
            print(problems, file=sys.stderr, flush=True)
            if status == 0:
                return STRICT
        return status

    def _start(self) -> None:
        """In a thread of its own, so that the wait for it is bounded."""
        try:
            self.mock = self.start()
        except BaseException as error:  # SystemExit: refused, its message printed or in it
            self.failure = error
        finally:
            self.started.set()

    def _run_command(self, mock: Mock) -> int:
        """Run CMD to its end; its status (128+N if a signal N ended it)."""
        env = {**os.environ, **child_env(mock, self.args.control_token)}
        try:
            child = subprocess.Popen(self.command, env=env)
        except (FileNotFoundError, NotADirectoryError) as error:
            print(f"mockplex run: {self.command[0]}: not found ({error.strerror})",
                  file=sys.stderr)
            return NOT_FOUND
        except OSError as error:
            print(f"mockplex run: {self.command[0]}: cannot execute ({error.strerror})",
                  file=sys.stderr)
            return CANNOT_EXECUTE
        self.child = child
        for signum in self.signals:  # received while it was being started
            child.send_signal(signum)
        status = child.wait()
        return 128 - status if status < 0 else status


def child_env(mock: Mock, control_token: str | None) -> dict[str, str]:
    """What CMD's environment gets (see :data:`EPILOG`)."""
    env = {"MOCKPLEX_URL": mock.server.local_url}
    if mock.proxy is not None:
        from mockplex.proxy.clientenv import env_of

        env.update(env_of(mock.proxy))
    if control_token:
        env["MOCKPLEX_CONTROL_TOKEN"] = control_token
    return env


def run(args: argparse.Namespace, command: Sequence[str], start: Callable[[], Mock]) -> int:
    """``mockplex run``: ``start()`` starts the mock (or raises SystemExit, as
    :func:`mockplex.cli.prepare`); CMD is ``command``. The exit status."""
    runner = Runner(args, command, start)
    previous = {signum: signal.signal(signum, runner.on_signal) for signum in SIGNALS}
    try:
        return runner.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
