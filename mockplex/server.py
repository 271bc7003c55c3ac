"""A live mockplex server on a real socket, in a background thread.

It serves with waitress. Stopping does not wait for a poll interval: a thunk
sent through waitress's trigger closes every socket from inside the event loop,
which then has nothing left to watch and returns at once.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server
from waitress.task import ThreadedTaskDispatcher

from mockplex.app import create_app, store_of
from mockplex.paths import DEFAULT_HOST, is_control_path
from mockplex.store import Store

STOP_TIMEOUT = 10  # seconds; a stop normally takes about a millisecond
CONTROL_THREADS = 2  # the control API's own, beside the plex.tv side's


class Lanes(ThreadedTaskDispatcher):
    """waitress's task dispatcher, in two lanes: the control API (``/_mockplex``) has
    threads of its own beside the plex.tv side's (this dispatcher's), so that requests
    held by an injected delay, or a flood of them, never keep a test from its controls
    or ``/_mockplex/health``."""

    def __init__(self, threads: int) -> None:
        super().__init__()
        self.set_thread_count(threads)
        self.control = ThreadedTaskDispatcher()
        self.control.set_thread_count(CONTROL_THREADS)

    def add_task(self, channel: Any) -> None:
        """A connection with a request ready: into the lane of its first request."""
        requests = getattr(channel, "requests", None)
        path = getattr(requests[0], "path", None) if requests else None
        if path and is_control_path(path):
            self.control.add_task(channel)
        else:
            super().add_task(channel)

    def shutdown(self, cancel_pending: bool = True, timeout: int = 5) -> bool:
        done: bool = super().shutdown(cancel_pending, timeout)
        return self.control.shutdown(cancel_pending, timeout) and done


def snapshot(socket_map: dict[int, Any]) -> list[Any]:
    """The map's dispatchers, read from another thread than the loop that changes it."""
    while True:
        try:
            return list(socket_map.values())
        except RuntimeError:  # changed size while read: read again
            continue


class LiveServer:
    """``with LiveServer() as server: requests.get(server.url + "/_mockplex/health")``."""

    def __init__(self, app: Flask | None = None, *, host: str = DEFAULT_HOST, port: int = 0,
                 threads: int = 4) -> None:
        self.app = app or create_app()
        self.host = host
        self.port = port
        self.threads = threads
        self._server: Any = None  # a waitress BaseWSGIServer, internals used in stop()
        self._thread: threading.Thread | None = None

    @property
    def store(self) -> Store:
        return store_of(self.app)

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

    def url_for(self, path: str) -> str:
        return self.url + "/" + path.lstrip("/")

    def start(self) -> LiveServer:
        """Bind (port 0 picks a free port, read back into ``port``) and serve."""
        if self.running:
            raise RuntimeError(f"the server is already running at {self.url}")
        server: BaseWSGIServer | MultiSocketServer = create_server(
            self.app, host=self.host, port=self.port, threads=self.threads,
            _dispatcher=Lanes(self.threads),
            clear_untrusted_proxy_headers=True, ident="mockplex",
            max_request_header_size=1024 * 1024)  # the app answers 431 itself below this
        if not isinstance(server, BaseWSGIServer):  # pragma: no cover - one host, one socket
            server.close()
            raise RuntimeError(f"{self.host!r} resolved to several addresses; name one")
        self._server = server
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(target=server.run, name=f"mockplex:{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every socket and wait for the serving thread; idempotent."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        socket_map: dict[int, Any] = server._map  # waitress's socket map: every open socket

        def close_all() -> None:
            for dispatcher in list(socket_map.values()):
                dispatcher.close()

        try:
            server.trigger.pull_trigger(close_all)
        except OSError:
            # The trigger is closed already (the listener closed itself), so the loop
            # cannot be woken, and closing sockets under its select() would break it:
            # ask each connection to close instead, which the loop does at its next poll
            # (within asyncore_loop_timeout, a second).
            for dispatcher in snapshot(socket_map):
                dispatcher.will_close = True
        thread.join(STOP_TIMEOUT)
        server.task_dispatcher.shutdown()
        self._server = self._thread = None
        if thread.is_alive():  # pragma: no cover - a loop stuck in a request
            raise RuntimeError(f"the server thread {thread.name} did not end within "
                               f"{STOP_TIMEOUT} s")

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.url if self._server else "stopped"
        return f"<LiveServer {state}>"
