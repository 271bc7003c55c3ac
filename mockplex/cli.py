"""``mockplex serve``: the standalone fake plex.tv; and the command line's parser, with
``mockplex run`` (:mod:`mockplex.run`) and ``mockplex ca``.

Prints ``mockplex listening on http://HOST:PORT`` to stdout once the socket accepts
connections (then, with ``--proxy-port`` and ``--tls-port``, ``mockplex proxy on
http://HOST:PORT`` and ``mockplex tls on https://HOST:PORT``, once those do, and after
``--env-file`` is written); logs one line per request to stderr;
exits 0 on SIGINT or SIGTERM (with ``--strict``, 1 if the mock failed inside or was
asked for a route it does not emulate, listing what it saw).

``serve`` and ``run`` take the same options (:func:`add_serve_options`), and start and
stop the mock with the same code (:func:`prepare`, :func:`start`, :class:`Mock`).
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from mockplex import __version__, run
from mockplex.domain.autoapprove import AutoApprove
from mockplex.domain.clock import MAX_SPAN
from mockplex.domain.errors import MockplexError
from mockplex.domain.hosts import normal
from mockplex.domain.paths import DEFAULT_HOST, DEFAULT_PORT, WILDCARDS, is_loopback
from mockplex.domain.pins import PIN_LIFETIME, STRONG_PIN_LIFETIME
from mockplex.domain.problems import LIMIT, Problem, report
from mockplex.domain.store import MAX_PINS

MAX_THREADS = 256  # each a real thread; more only costs memory and start-up


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number from ``low`` to ``high``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low} to {high}, got {value}")
        return value
    return parse


positive_int = whole_number(1, sys.maxsize)
port_number = whole_number(0, 65535)
lifetime = whole_number(1, MAX_SPAN)


def seconds(text: str) -> float:
    """An argument type: a positive number of seconds, at most a day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text[:40]!r}") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 86400, got {text}")
    return value


def public_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or (
            parts.fragment):
        raise argparse.ArgumentTypeError(f"an http(s) URL such as https://mock.example:8443, "
                                         f"got {text!r}")
    return text


def auto_approve_rule(text: str) -> str:
    try:
        AutoApprove.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


class Spelled(argparse._StoreAction):
    """An option that has an old spelling too: given both ways at once, it is an error
    (one of the two values would be dropped without a word)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        given = namespace.__dict__.setdefault("_spellings", {})
        first = given.setdefault(self.dest, option_string)
        if first != option_string:
            parser.error(f"{first} and {option_string} are one option: give it once")
        super().__call__(parser, namespace, values, option_string)


class Renamed(Spelled):
    """An option's old spelling (left out of ``--help``): it still works, and says its
    new name in a line on stderr."""

    def __init__(self, option_strings: Sequence[str], dest: str, *, new: str,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, help=argparse.SUPPRESS, **kwargs)
        self.new = new

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(f"mockplex: warning: {option_string} is deprecated, use {self.new} (the old "
              "spelling goes in 1.0)", file=sys.stderr)
        super().__call__(parser, namespace, values, option_string)


#: The options renamed in 0.8.0: old spelling -> new.
RENAMED = {"--fixtures": "--scenario", "--journal-har": "--har"}



def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="mockplex", description="A fake plex.tv for tests.")
    main.add_argument("--version", action="version", version=f"mockplex {__version__}")
    commands = main.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the fake plex.tv server",
                                description="Run the fake plex.tv server until SIGINT or "
                                            "SIGTERM.")
    add_serve_options(serve, port=DEFAULT_PORT,
                      strict="exit 1 at shutdown, listing them, if the mock failed inside "
                             "or was asked for a plex.tv route it does not emulate (for CI)")
    runs = commands.add_parser("run", help="run a command with the fake plex.tv beside it",
                               usage=run.USAGE, description=run.DESCRIPTION,
                               epilog=run.EPILOG,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    add_serve_options(runs, port=0,
                      strict="if the mock failed inside or was asked for a plex.tv route it "
                             "does not emulate, list them on stderr once CMD has ended, and "
                             "exit 3 if CMD exited 0")
    runs.add_argument_group("mockplex run").add_argument(
        "--ready-timeout", type=seconds, default=run.READY_TIMEOUT, metavar="SECONDS",
        help="give up (exit 2, CMD not run) if the mock, its proxy and TLS listener are not "
             f"listening within SECONDS (default {run.READY_TIMEOUT:g})")
    ca = commands.add_parser("ca", help="print the CA certificate's path, making the CA "
                                        "if needed",
                             description="Print the path of mockplex's CA certificate (the "
                                         "file to trust), making the CA first if needed.")
    ca.add_argument("--ca-dir", metavar="DIR", help="the CA's folder (default: a per-user "
                                                      "cache folder)")
    return main


def add_serve_options(command: argparse.ArgumentParser, *, port: int, strict: str) -> None:
    """The options of ``serve`` (and of ``run``: the same list): ``port`` the default
    port, ``strict`` what ``--strict`` does, in its help."""
    command.add_argument("--host", default=DEFAULT_HOST,
                         help=f"address to bind (default {DEFAULT_HOST})")
    command.add_argument("--port", type=port_number, default=port,
                         help=f"port to bind; 0 picks a free one (default {port})")
    command.add_argument("--pin-lifetime", type=lifetime, default=PIN_LIFETIME,
                         metavar="SECONDS",
                         help=f"lifetime of a 4-character pin (default {PIN_LIFETIME})")
    command.add_argument("--strong-pin-lifetime", type=lifetime, default=STRONG_PIN_LIFETIME,
                         metavar="SECONDS",
                         help=f"lifetime of a strong pin (default {STRONG_PIN_LIFETIME})")
    command.add_argument("--base-url", type=public_url, metavar="URL",
                         help="public URL of the mock, used in qr links "
                              "(default: the URL each request came in on)")
    command.add_argument("--auto-approve", type=auto_approve_rule, metavar="RULE",
                         help="approve pins as the default account with no one clicking: "
                              "after-polls=N (poll N+1 carries the token) or after-seconds=S")
    command.add_argument("--scenario", metavar="FILE", action=Spelled,
                         help="a scenario file (JSON) of accounts, pins, servers and shares "
                              "to start with, laid down again by every reset")
    command.add_argument("--seed", type=int, metavar="N",
                         help="make ids, codes and tokens reproducible (the same after a "
                              "reset)")
    command.add_argument("--max-pins", type=positive_int, default=MAX_PINS, metavar="N",
                         help=f"the most live pins at once; past it, 429 (default {MAX_PINS})")
    command.add_argument("--control-token", metavar="TOKEN",
                         default=os.environ.get("MOCKPLEX_CONTROL_TOKEN") or None,
                         help="require this value in the X-Mockplex-Token header of every "
                              "/_mockplex call that reads or changes state (for a server "
                              "shared by CI jobs); pages take it once as ?control_token=. "
                              "Default: $MOCKPLEX_CONTROL_TOKEN, which, unlike an option, "
                              "other users cannot read in the process list")
    command.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                         type=allowed_host,
                         help="also answer requests whose Host names NAME (repeatable; for "
                              "a CI service container's name, say). Loopback names and the "
                              "--host address are always answered; any other Host gets 403")
    command.add_argument("--strict", action="store_true", help=strict)
    command.add_argument("--har", metavar="FILE", action=Spelled,
                         help="keep FILE a HAR 1.2 file of every request clients made, "
                              "plex.tv's side and the fake servers' (for a CI job to keep; "
                              "HAR viewers and browsers' tools open it; the plugin's is "
                              "--mockplex-har)")
    for old, new in RENAMED.items():
        command.add_argument(old, dest=new.removeprefix("--"), metavar="FILE", action=Renamed,
                             new=new)
    command.add_argument("--quiet", action="store_true",
                         help="log nothing per request (for load tests)")
    command.add_argument("--threads", type=whole_number(1, MAX_THREADS), default=4,
                         help=f"worker threads, at most {MAX_THREADS} (default 4)")
    proxy = command.add_argument_group(
        "plex.tv for unchanged programs (needs mockplex[proxy]; see docs/proxy.md)")
    proxy.add_argument("--proxy-port", type=port_number, metavar="PORT",
                       help="also run an HTTP proxy that answers plex.tv's hosts and the "
                            "live fake servers' plex.direct names as the mock, and refuses "
                            "every other; 0 picks a free port")
    proxy.add_argument("--tls-port", type=port_number, metavar="PORT",
                       help="also listen for HTTPS with the plex.tv certificates, for "
                            "programs pointed at it by name (/etc/hosts, curl --resolve); "
                            "0 picks a free port")
    proxy.add_argument("--proxy-host", default=DEFAULT_HOST, metavar="HOST",
                       help=f"address the proxy and TLS listener bind (default "
                            f"{DEFAULT_HOST}); off loopback, --proxy-credentials is needed")
    proxy.add_argument("--proxy-credentials", metavar="USER:PASSWORD",
                       help="require these in Proxy-Authorization (Basic); default, with "
                            "--proxy-port: $MOCKPLEX_PROXY_CREDENTIALS")
    proxy.add_argument("--proxy-passthrough", type=host_list, default=(), metavar="HOST[,HOST]",
                       help="tunnel these hosts unchanged instead of refusing them")
    proxy.add_argument("--ca-dir", metavar="DIR",
                       help="the CA's folder, made and reused (default: a per-user cache "
                            "folder; see mockplex ca)")
    proxy.add_argument("--env-file", metavar="PATH",
                       help="write KEY=VALUE lines that point a process at the proxy "
                            "(HTTPS_PROXY, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, ..., "
                            "MOCKPLEX_URL, and MOCKPLEX_TLS_URL with --tls-port)")


def allowed_host(text: str) -> str:
    name = normal(text.strip())
    if not name or set(name) & set(" /:@[]?#"):
        raise argparse.ArgumentTypeError(f"a host name or IPv4 address, no port, got {text!r}")
    return name


def host_list(text: str) -> tuple[str, ...]:
    hosts = tuple(name.strip() for name in text.split(",") if name.strip())
    if not hosts or any(set(name) & set(" /:@") for name in hosts):
        raise argparse.ArgumentTypeError(f"host names (or IPv4 addresses) separated by "
                                         f"commas, no ports, got {text!r}")
    return hosts


def load_ca(folder: str | None) -> Any:
    """The CA (mockplex.proxy.ca.CA), or SystemExit with what to install."""
    try:
        from mockplex.proxy.ca import CA
    except ImportError as error:
        raise SystemExit(f"mockplex: {error}") from None
    try:
        return CA.load(folder)
    except (OSError, ValueError) as error:
        raise SystemExit(f"mockplex: the CA in {folder or 'the cache folder'}: {error}"
                         ) from None


def ca(args: argparse.Namespace) -> int:
    print(load_ca(args.ca_dir).cert_path)
    return 0


def usage_error(args: argparse.Namespace, message: str) -> SystemExit:
    print(f"mockplex {args.command}: error: {message}", file=sys.stderr)
    return SystemExit(2)


def check_proxy_args(args: argparse.Namespace) -> None:
    if args.proxy_port is not None and args.proxy_credentials is None:
        args.proxy_credentials = os.environ.get("MOCKPLEX_PROXY_CREDENTIALS") or None
    if args.proxy_port is None:
        for name in ("env_file", "proxy_passthrough", "proxy_credentials"):
            if getattr(args, name):
                raise usage_error(args, f"--{name.replace('_', '-')} needs --proxy-port")
    if args.proxy_port is not None and not is_loopback(args.proxy_host) and (
            not args.proxy_credentials):
        raise usage_error(args, f"a proxy on {args.proxy_host} is reachable from other "
                                "machines: give it --proxy-credentials USER:PASSWORD")
    if args.proxy_credentials is not None and ":" not in args.proxy_credentials:
        raise usage_error(args, "--proxy-credentials is USER:PASSWORD")


def start_proxy(args: argparse.Namespace, server: Any, ca: Any) -> Any:
    """The proxy and TLS listener the arguments ask for, started with ``ca`` (None if
    neither is asked for), and the env file written."""
    if ca is None:
        return None
    from mockplex.proxy.clientenv import env_of, write_env_file
    from mockplex.proxy.listeners import Proxy

    proxy = Proxy(server, ca=ca, host=args.proxy_host,
                  port=args.proxy_port, tls_port=args.tls_port,
                  passthrough=args.proxy_passthrough, credentials=args.proxy_credentials)
    proxy.start()
    if args.env_file:
        try:
            write_env_file(args.env_file, env_of(proxy))
        except (OSError, ValueError) as error:
            proxy.stop()
            raise SystemExit(f"mockplex: --env-file {args.env_file}: {error}") from None
    return proxy


class NotStarted(MockplexError):
    """The mock did not start, its message printed: ``status`` is serve's exit status
    (never seen outside this module: serve returns it, run's start raises SystemExit)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Strict:
    """What ``--strict`` keeps: the first :data:`LIMIT` problems since start, across
    resets, and how many in all."""

    def __init__(self) -> None:
        self.seen: list[Problem] = []
        self.total = 0
        self._lock = threading.Lock()

    def keep(self, problem: Problem) -> None:
        with self._lock:
            self.total += 1
            if len(self.seen) < LIMIT:
                self.seen.append(problem)

    def report(self) -> str | None:
        """What to print at shutdown; None if the mock saw no problem."""
        with self._lock:
            if not self.seen:
                return None
            more = f" (the first {LIMIT} of {self.total})" if self.total > LIMIT else ""
            return (f"mockplex: --strict: {self.total} problem(s) seen{more}:\n"
                    f"{report(self.seen)}")


class Mock:
    """A started mock, as ``serve`` and ``run`` hold it: the live server, its proxy and
    TLS listener (None if neither was asked for), the HAR file's writer and what
    ``--strict`` keeps (each None if not asked for)."""

    def __init__(self, server: Any, proxy: Any, har: Any, strict: Strict | None) -> None:
        self.server = server
        self.proxy = proxy
        self.har = har
        self.strict = strict

    def ready_lines(self) -> list[str]:
        """``mockplex listening on URL``, then the proxy's and the TLS listener's."""
        lines = [f"mockplex listening on {self.server.url}"]
        if self.proxy is not None and self.proxy.port is not None:
            lines.append(f"mockplex proxy on {self.proxy.url}")
        if self.proxy is not None and self.proxy.tls_port is not None:
            lines.append(f"mockplex tls on {self.proxy.tls_url}")
        return lines

    def warm_up(self) -> None:
        """Import what the first request would, now, while nobody waits for it (in a
        thread of its own)."""
        from mockplex.web.deferred import warm_up

        threading.Thread(target=warm_up, name="mockplex:warm-up", daemon=True).start()

    def stop(self) -> str | None:
        """Stop the server, and the proxy with it, gracefully (the requests in flight are
        answered), then write the HAR file a last time: complete, once this returns. The
        ``--strict`` report, if there is one to print."""
        try:
            self.server.stop()
        finally:
            if self.har is not None:
                try:
                    self.har.close()  # after the last request: the file is complete
                except OSError as error:  # (a full disk, a folder gone): said, not raised,
                    # so that the verdict and the command's status still come back
                    print(f"mockplex: --har {self.har.path}: {error}", file=sys.stderr,
                          flush=True)
        return self.strict.report() if self.strict is not None else None


def prepare(args: argparse.Namespace) -> tuple[Any, Any]:
    """The app ``args`` ask for, and the CA (None without a proxy or TLS listener): all
    that can be refused before anything listens. Logging to stderr is set up. Refused: a
    bad scenario file, :class:`NotStarted`; a usage error, SystemExit(2) once the message
    is printed; a CA that cannot be loaded, SystemExit with the message (status 1)."""
    check_proxy_args(args)
    ca = None  # a missing extra or a bad CA folder is found before anything starts
    if args.proxy_port is not None or args.tls_port is not None:
        ca = load_ca(args.ca_dir)
    from mockplex.app import create_app  # not before the arguments are read

    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    if args.quiet:  # nothing per request: waitress's queue-depth warnings neither
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        app = create_app({
            "MOCKPLEX_PIN_LIFETIME": args.pin_lifetime,
            "MOCKPLEX_STRONG_PIN_LIFETIME": args.strong_pin_lifetime,
            "MOCKPLEX_BASE_URL": args.base_url,
            "MOCKPLEX_AUTO_APPROVE": args.auto_approve,
            "MOCKPLEX_SEED": args.seed,
            "MOCKPLEX_SCENARIO": args.scenario,
            "MOCKPLEX_MAX_PINS": args.max_pins,
            "MOCKPLEX_CONTROL_TOKEN": args.control_token,
            "MOCKPLEX_ALLOWED_HOSTS": tuple(args.allowed_host),
        })
    except Exception as error:
        from mockplex.control.scenario import (
            ScenarioError,  # the scenario module loads only for one
        )

        if not isinstance(error, ScenarioError):
            raise
        print(f"mockplex: {error}", file=sys.stderr)
        raise NotStarted(2) from None
    return app, ca


def start(args: argparse.Namespace, app: Any, ca: Any) -> Mock:
    """Listen and serve ``app`` (with the proxy and TLS listener ``args`` ask for, the
    env file written and the HAR file begun); not yet the ready lines. Refused, with
    nothing left listening: a port taken or a HAR file that cannot be written,
    :class:`NotStarted`; an env file that cannot be written, SystemExit with the
    message."""
    from mockplex.app import store_of
    from mockplex.server import CannotListen, LiveServer

    strict = None
    if args.strict:
        strict = Strict()
        store_of(app).problems.listeners.append(strict.keep)
    server = LiveServer(app, host=args.host, port=args.port, threads=args.threads)
    try:
        server.start()
        proxy = start_proxy(args, server, ca)
    except CannotListen as error:
        server.stop()
        taken = getattr(error.__cause__, "errno", None) == errno.EADDRINUSE
        print(f"mockplex: {error}" + ("; another mockplex (or another program) listens there:"
                                      " give another --port, or --port 0 for a free one "
                                      "(make serve PORT=N)" if taken else ""),
              file=sys.stderr)
        raise NotStarted(1) from None
    except SystemExit:
        server.stop()
        raise
    har = None
    if args.har:  # before the ready line: every request a client sends is in it
        from mockplex.control.har import HarWriter

        try:
            har = HarWriter(args.har, store_of(app).journal)
        except OSError as error:
            server.stop()
            print(f"mockplex: --har {args.har}: {error}", file=sys.stderr)
            raise NotStarted(2) from None
    if not is_loopback(args.host):
        print(f"mockplex: warning: listening on {args.host}, reachable from other machines; "
              "its control API can approve, expire and reset anything"
              + ("" if args.control_token else " (see --control-token)"), file=sys.stderr)
        names = ["loopback", *([] if args.host in WILDCARDS else [args.host]),
                 *args.allowed_host]
        print(f"mockplex: it answers requests whose Host is {', '.join(names)} "
              "(--allowed-host NAME adds one)", file=sys.stderr)
    return Mock(server, proxy, har, strict)


def start_for_run(args: argparse.Namespace) -> Mock:
    """:func:`prepare` and :func:`start`, refused as SystemExit only (run's exit status
    is its own)."""
    try:
        return start(args, *prepare(args))
    except NotStarted as refused:
        raise SystemExit(refused.status) from None


def serve(args: argparse.Namespace) -> int:
    try:
        app, ca = prepare(args)
    except NotStarted as refused:
        return refused.status
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        mock = start(args, app, ca)
    except NotStarted as refused:
        return refused.status
    try:
        for line in mock.ready_lines():
            print(line, flush=True)
        mock.warm_up()
        stopping.wait()
    finally:
        problems = mock.stop()
    if problems:
        print(problems, file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    # run's command follows the first "--", and is not argparse's to read.
    split = given.index("--") if "--" in given else len(given)
    args, unknown = parser().parse_known_args(given[:split])
    if unknown and args.command == "run" and split == len(given):
        subcommand(parser(), "run").error(
            f"unrecognized arguments: {' '.join(unknown)}; give the command to run after "
            "--, as in mockplex run --strict -- pytest")
    if unknown:
        args = parser().parse_args(given[:split])  # argparse's own answer (an error)
    if args.command == "run":
        if not given[split + 1:]:
            subcommand(parser(), "run").error(
                "no command to run: give it after --, as in mockplex run --strict -- pytest")
        return run.run(args, given[split + 1:], lambda: start_for_run(args))
    if split < len(given):
        args = parser().parse_args(given)  # argparse's own answer to a "--" (an error)
    if args.command == "serve":
        return serve(args)
    if args.command == "ca":
        return ca(args)
    raise AssertionError(f"unknown command {args.command}")  # pragma: no cover


def subcommand(main: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """``main``'s parser for the command ``name``."""
    for action in main._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices[name]
            return found
    raise KeyError(name)  # pragma: no cover
