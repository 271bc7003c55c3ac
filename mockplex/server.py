"""A live mockplex server on a real socket, in a background thread: ``with LiveServer()
as server: ...``.

It is a :class:`mockplex.listener.Listener` (waitress, its limits, its graceful and
quick stop: that module's docstring), with what the mock's own server adds: the control
API's worker threads of their own (:class:`Lanes`), injected delays that last their time
while it runs and end as it stops, and the mock's live fake servers
(:func:`mockplex.media.media_servers`), which listen while it runs, each on a socket of
its own.

The names other modules and users import from here are kept here too (the socket
machinery's, and ``media_servers``); their homes are :mod:`mockplex.listener` and
:mod:`mockplex.media`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from mockplex.app import create_app, store_of
from mockplex.domain.paths import DEFAULT_HOST, is_control_path
from mockplex.domain.store import Store
from mockplex.listener import (
    GRACE,
    LIMITS,
    LINGER,
    MEDIA_LIMITS,
    MEDIA_THREADS,
    STOP_TIMEOUT,
    CannotListen,
    Lane,
    Listener,
    MediaListener,
    keep_real_time,
)
from mockplex.media import media_servers

__all__ = [  # (the imported names: kept where users found them before mockplex.listener)
    "CONTROL_THREADS", "GRACE", "LIMITS", "LINGER", "MEDIA_LIMITS", "MEDIA_THREADS",
    "STOP_TIMEOUT", "CannotListen", "Lane", "Lanes", "Listener", "LiveServer",
    "MediaListener", "keep_real_time", "media_servers",
]

CONTROL_THREADS = 2  # the control API's own, beside the plex.tv side's


class Lanes(Lane):
    """waitress's task dispatcher, in two lanes: the control API (``/_mockplex``) has
    threads of its own beside the plex.tv side's (this dispatcher's), so that requests
    held by an injected delay, or a flood of them, never keep a test from its controls
    or ``/_mockplex/health``."""

    def __init__(self, threads: int) -> None:
        super().__init__(threads)
        self.control = Lane(CONTROL_THREADS)

    def add_task(self, channel: Any) -> None:
        """A connection with a request ready: into the lane of its first request."""
        requests = getattr(channel, "requests", None)
        path = getattr(requests[0], "path", None) if requests else None
        if path and is_control_path(path):
            self.control.add_task(channel)
        else:
            super().add_task(channel)

    def idle(self) -> bool:
        """No request queued or being answered, in either lane."""
        return super().idle() and self.control.idle()

    def shutdown(self, cancel_pending: bool = True, timeout: int = 5) -> bool:
        done: bool = super().shutdown(cancel_pending, timeout)
        return self.control.shutdown(cancel_pending, timeout) and done


class LiveServer(Listener):
    """``with LiveServer() as server: requests.get(server.url + "/_mockplex/health")``.

    The mock's own server: its control API has worker threads of its own
    (:class:`Lanes`), injected delays last their time while it runs and end when it
    stops, and the mock's live fake servers listen while it runs
    (:func:`mockplex.media.media_servers`)."""

    def __init__(self, app: Flask | None = None, *, host: str = DEFAULT_HOST, port: int = 0,
                 threads: int = 4) -> None:
        super().__init__(app or create_app(), host=host, port=port, threads=threads)
        #: What serves through this server and stops with it (a proxy: ``stop()``).
        self.companions: list[Any] = []
        self._media = False  # the live fake servers were started with this server

    @property
    def store(self) -> Store:
        return store_of(self.app)

    def start(self) -> LiveServer:
        """Bind (port 0 picks a free port, read back into ``port``) and serve; the live
        fake servers listen before this returns."""
        super().start()
        return self

    def __enter__(self) -> LiveServer:
        return self.start()

    def _dispatcher(self) -> Lane:
        return Lanes(self.threads)

    def _serving(self) -> None:
        media_servers(self.app).start()
        self._media = True

    def _stopping(self) -> None:
        for companion in list(self.companions):  # they relay to this server: first
            companion.stop()
        if self._media:
            self._media = False
            media_servers(self.app).stop()
