"""A WSGI app on a real socket, served by waitress in a thread of its own: the machinery
both kinds of listener share, the mock's own server (:class:`mockplex.server.LiveServer`)
and each live fake Plex Media Server's socket (:class:`MediaListener`, which
:mod:`mockplex.media` starts and stops).

waitress is tuned here for a test double that must never lock a client out: up to 1000
connections at once (poll(), not select(), so past 1024 descriptors too; a fake
server's 100), and a connection idle for a minute, or one that never finishes its
request, closed.

A listener takes no body longer than its app does (``MAX_CONTENT_LENGTH``, 1 MiB): a
request that declares one is refused as soon as its head is in, and a chunked one once
it has sent that much, before any more is read; waitress's own refusals (that one, a
head over 1 MiB, a malformed request) come in plex.tv's error shape, as the app's do,
and close the connection.

Stopping is graceful and quick, and never waits for a poll interval: it stops
accepting, closes each connection as soon as it has no request in hand and its answer
is written (for up to :data:`GRACE` seconds), then stops the worker threads and closes
what is left. Each step that touches a connection is a thunk sent through waitress's
trigger, so the event loop is never touched from another thread, and no worker is left
to pull the trigger once it is closed.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from types import TracebackType
from typing import Any

from flask import Flask
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from mockplex.domain.clock import real_monotonic
from mockplex.domain.errors import MockplexError
from mockplex.domain.limits import HEAD_MAX
from mockplex.domain.paths import reachable
from mockplex.domain.servers import LIVE_ADDRESS
from mockplex.pms.answers import HTML_TYPE, PROTOCOL, page
from mockplex.web.context import store_of
from mockplex.web.environ import ENDED
from mockplex.web.errors import PlexError, error_json
from mockplex.web.guard import allow_host
from mockplex.web.render import JSON_TYPE

STOP_TIMEOUT = 10  # seconds; a stop normally takes a few milliseconds
GRACE = 5  # seconds the requests in flight have to be answered when the server stops
UNSET_BODY_CAP = 1024 ** 3  # bytes of a body when the app sets no MAX_CONTENT_LENGTH
LINGER = 5  # seconds a refused client's unread bytes are read and dropped before closing
MEDIA_THREADS = 2  # each live fake server's workers (it has no control API)
#: waitress's limits (see the module's docstring and docs/ci.md).
LIMITS: dict[str, Any] = {"connection_limit": 1000, "channel_timeout": 60,
                          "cleanup_interval": 5, "asyncore_use_poll": True}
#: A live fake server's: fewer connections each (up to LIVE_SERVERS_MAX of them listen).
MEDIA_LIMITS: dict[str, Any] = {**LIMITS, "connection_limit": 100}


class CannotListen(MockplexError, OSError):
    """The address is taken, or not this machine's."""


class PlexErrorTask(ErrorTask):
    """What waitress answers itself (a body over the cap, a head over 1 MiB, a request it
    cannot parse), in plex.tv's error shape with the mock's codes, as the app's own
    errors are; then the connection closes (the rest of such a request is never read)."""

    def execute(self) -> None:
        error = self.request.error  # type: ignore[attr-defined]  # (the stubs' request is Error)
        if error.code == 413:
            message = (f"the request's body is over {self.channel.adj.max_request_body_size - 1}"
                       " bytes, mockplex's cap (MAX_CONTENT_LENGTH)")
        elif error.code == 431:
            message = f"the request's head is over {HEAD_MAX} bytes, the server's cap"
        else:
            message = f"{error.reason}: {str(error.body)[:200]}"
        refusal = PlexError(message, status=error.code)
        body = error_json(refusal)
        self.status = f"{error.code} {error.reason}"
        self.response_headers = [*self.response_headers, ("Content-Type", JSON_TYPE)]
        self.set_close_on_finish()
        self.channel.linger = True  # type: ignore[attr-defined]  # a PlexChannel
        self.content_length = len(body)
        self.write(body)


class ServerErrorTask(PlexErrorTask):
    """What waitress answers itself on a live fake server's socket: the server's own
    error page (:func:`mockplex.pms.answers.page`), as the server's routes answer theirs;
    then the connection closes."""

    def execute(self) -> None:
        error = self.request.error  # type: ignore[attr-defined]
        body = page(error.code).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers = [*self.response_headers, ("Content-Type", HTML_TYPE),
                                 PROTOCOL]
        self.set_close_on_finish()
        self.channel.linger = True  # type: ignore[attr-defined]  # a PlexChannel
        self.content_length = len(body)
        self.write(body)


class PlexParser(HTTPRequestParser):
    """waitress's request parser, refusing a request target that is no URL
    (``GET http://[::1/x``): waitress turns a UnicodeError of its URL parsing into a 400,
    but lets urlsplit's ValueError escape, and the connection closed with no answer."""

    def parse_header(self, header_plus: bytes) -> None:
        try:
            super().parse_header(header_plus)
        except ValueError as error:  # (waitress's own refusals are ParsingError)
            raise ParsingError(f"Bad URI: {error}") from None


class PlexChannel(HTTPChannel):
    """A waitress connection whose own refusals are in plex.tv's shape, closed the way
    nginx's lingering close does: a refused client may still be sending the body it was
    refused for, and closing with those bytes unread would send a reset that can destroy
    the answer before the client reads it. So once the answer is written, the channel
    sends its FIN and reads and drops what still comes, until the client closes, or for
    :data:`LINGER` seconds at the most (and as long again of silence: the server's
    idle sweep closes it then)."""

    error_task_class = PlexErrorTask
    parser_class = PlexParser
    linger = False  # set by the refusal (a worker thread), read in the loop
    draining_until: float | None = None

    def handle_close(self) -> None:
        if self.linger and self.draining_until is None and self.connected:
            try:
                self.socket.shutdown(socket.SHUT_WR)  # type: ignore[union-attr]
            except (OSError, AttributeError):
                pass
            else:
                self.will_close = False
                self.draining_until = real_monotonic() + LINGER
                # Idle for LINGER seconds: the sweep (every cleanup_interval) closes it.
                self.last_activity = time.time() - self.adj.channel_timeout + LINGER
                return
        super().handle_close()

    def handle_read(self) -> None:
        if self.draining_until is None:
            super().handle_read()
        elif self.recv(self.adj.recv_bytes) and real_monotonic() > self.draining_until:
            super().handle_close()  # (recv closed it itself at the client's end)


def body_cap(app: Flask) -> dict[str, Any]:
    """waitress's ``max_request_body_size`` for ``app``: what it takes, one byte more
    (waitress refuses a body of that size, Flask only a larger one); none set: 1 GiB,
    waitress's own."""
    most = app.config.get("MAX_CONTENT_LENGTH")
    return {"max_request_body_size": (UNSET_BODY_CAP if most is None else int(most)) + 1}


class ServerChannel(PlexChannel):
    """A live fake server's connection: its own refusals in the server's shape."""

    error_task_class = ServerErrorTask


class Ended:
    """WSGI middleware on a socket: each request carries the Event the socket sets as it
    stops (``environ[ENDED]``), which ends an injected delay held on it."""

    def __init__(self, wsgi_app: Any, ended: threading.Event) -> None:
        self.wsgi_app = wsgi_app
        self.ended = ended

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ[ENDED] = self.ended
        return self.wsgi_app(environ, start_response)


class Lane(ThreadedTaskDispatcher):
    """waitress's task dispatcher, with ``threads`` workers, that can say it is idle."""

    def __init__(self, threads: int) -> None:
        super().__init__()
        self.set_thread_count(threads)

    def idle(self) -> bool:
        """No request queued or being answered."""
        return not self.queue and not self.active_count


def snapshot(socket_map: dict[int, Any]) -> list[Any]:
    """The map's dispatchers, read from another thread than the loop that changes it."""
    while True:
        try:
            return list(socket_map.values())
        except RuntimeError:  # changed size while read: read again
            continue


def keep_real_time(*, load: bool = False) -> None:
    """freezegun moves time for the whole process, the server thread included; the
    server's own bookkeeping (waitress's idle-connection timeouts, a stop's grace) keeps
    real time, or a test's ``tick(901)`` would close the connections in flight. The app
    itself (the mock's clock) still sees the frozen time. Done when freezegun is loaded,
    or with ``load``, loaded now (the plugin does: its tests may freeze time later)."""
    if not load and "freezegun" not in sys.modules:
        return
    import freezegun

    freezegun.configure(extend_ignore_list=["waitress.", __name__])


def in_loop(server: Any, thunk: Any) -> bool:
    """Run ``thunk`` in the server's event loop; False if the loop cannot be woken."""
    try:
        server.trigger.pull_trigger(thunk)
    except OSError:
        return False
    return True


def wait_until(done: Any, seconds: float) -> None:
    """Check ``done()`` every millisecond until it is true, for ``seconds`` at most
    (counted in waits, not read from a clock a test may have frozen)."""
    pause = threading.Event()
    for _ in range(int(seconds * 1000)):
        if done():
            return
        pause.wait(0.001)


class Listener:
    """A WSGI app on a socket, served by waitress in a thread of its own, and stopped
    gracefully and quickly (see the module's docstring): what the mock's own server
    (:class:`mockplex.server.LiveServer`) and each live fake server's
    :class:`MediaListener` are. ``app`` is the Flask app whose requests it serves (its
    body cap, its Host rule)."""

    limits: dict[str, Any] = LIMITS
    channel_class: type[HTTPChannel] = PlexChannel

    def __init__(self, app: Flask, *, host: str, port: int, threads: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.threads = threads
        self._server: Any = None  # a waitress BaseWSGIServer, internals used in stop()
        self._thread: threading.Thread | None = None
        self._ended = threading.Event()  # set as it stops (each start makes a new one)

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        if self._server is None:
            raise RuntimeError("the server is not running; call start() first")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    @property
    def local_url(self) -> str:
        """The base URL a client on this machine uses: :attr:`url`, with a wildcard
        address (``--host 0.0.0.0``) replaced by its loopback, which the Host rule
        answers (what ``mockplex run`` and the env file give a program)."""
        host = reachable(self.host)
        return f"http://{host if ':' not in host else f'[{host}]'}:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + "/" + path.lstrip("/")

    # -- what each kind serves, and does as it starts and stops -------------------------

    def _wsgi(self) -> Any:
        return self.app

    def _dispatcher(self) -> Lane:
        return Lane(self.threads)

    def _thread_name(self) -> str:
        return f"mockplex:{self.port}"

    def _serving(self) -> None:
        """Once it serves (the thread started)."""

    def _stopping(self) -> None:
        """As a stop begins, before the socket closes."""

    # -- start and stop -----------------------------------------------------------

    def start(self) -> Listener:
        """Bind (port 0 picks a free port, read back into ``port``) and serve."""
        if self.running:
            raise RuntimeError(f"the server is already running at {self.url}")
        self._ended = threading.Event()
        lanes = self._dispatcher()  # (its workers start now: stopped again on a failure)
        try:
            server: BaseWSGIServer | MultiSocketServer = create_server(
                Ended(self._wsgi(), self._ended), host=self.host, port=self.port,
                threads=self.threads, _dispatcher=lanes, **self.limits,
                clear_untrusted_proxy_headers=True, ident="mockplex",
                max_request_header_size=HEAD_MAX, **body_cap(self.app))
        except (OSError, ValueError) as error:  # ValueError: a host that resolves to none
            lanes.shutdown(cancel_pending=True, timeout=GRACE)
            raise CannotListen(f"cannot listen on {self.host}:{self.port}: {error}") from error
        if not isinstance(server, BaseWSGIServer):  # pragma: no cover - one host, one socket
            server.close()
            raise RuntimeError(f"{self.host!r} resolved to several addresses; name one")
        server.channel_class = self.channel_class
        self._server = server
        self.port = int(self._server.effective_port)
        allow_host(self.app, self.host)  # requests may name the address it listens on
        keep_real_time()
        self._thread = threading.Thread(target=server.run, name=self._thread_name(),
                                        daemon=True)
        self._thread.start()
        try:
            self._serving()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop gracefully (see the module's docstring) and wait for the serving
        thread; idempotent."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping()
        self._server = self._thread = None
        self._ended.set()  # the delays held on its requests end now, no other socket's
        store_of(self.app).faults.wake()
        lanes: Lane = server.task_dispatcher
        socket_map: dict[int, Any] = server._map  # waitress's socket map: every open socket

        def wind_down() -> None:  # in the loop: each connection with no request in
            for channel in list(socket_map.values()):  # hand closes once flushed
                if channel is not server.trigger and not getattr(channel, "requests", None):
                    channel.close_when_flushed = True

        def close_all() -> None:  # in the loop: whatever is left, the trigger last
            for dispatcher in list(socket_map.values()):
                if dispatcher is not server.trigger:
                    dispatcher.close()
            server.trigger.close()

        def stop_accepting() -> None:  # in the loop: the listener only (its close() would
            wasyncore.dispatcher.close(server)  # close the trigger too)

        def settled() -> bool:  # every answer written, every connection closed
            return (in_loop(server, wind_down) and lanes.idle()
                    and set(snapshot(socket_map)) <= {server.trigger})

        if in_loop(server, stop_accepting):
            wait_until(settled, GRACE)
            lanes.shutdown(cancel_pending=True, timeout=GRACE)  # no worker pulls the trigger
            in_loop(server, close_all)
        else:
            # The trigger is closed already (the listener closed itself), so the loop
            # cannot be woken, and closing sockets under its select() would break it:
            # ask each connection to close instead, which the loop does at its next poll
            # (within asyncore_loop_timeout, a second).
            lanes.shutdown(cancel_pending=True, timeout=GRACE)
            for dispatcher in snapshot(socket_map):
                dispatcher.will_close = True
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():  # pragma: no cover - a loop stuck in a request
            raise RuntimeError(f"the server thread {thread.name} did not end within "
                               f"{STOP_TIMEOUT} s")

    def __enter__(self) -> Listener:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.url if self._server else "stopped"
        return f"<{type(self).__name__} {state}>"


class MediaListener(Listener):
    """One live fake server's socket (:mod:`mockplex.media`): ``wsgi``, the server's side
    of the mock told which server it is, on ``127.0.0.1`` (never another address), a
    free port. Two workers and no control lane; it leaves injected delays alone (they
    are the whole mock's: its :class:`mockplex.server.LiveServer` ends them)."""

    limits = MEDIA_LIMITS
    channel_class = ServerChannel

    def __init__(self, app: Flask, wsgi: Any) -> None:
        super().__init__(app, host=LIVE_ADDRESS, port=0, threads=MEDIA_THREADS)
        self.wsgi = wsgi

    def _wsgi(self) -> Any:
        return self.wsgi

    def _thread_name(self) -> str:
        return f"mockplex:pms:{self.port}"
