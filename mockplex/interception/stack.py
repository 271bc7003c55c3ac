"""In-process interception: unchanged client code that calls https://plex.tv reaches
the mock, with no change to the URLs it uses. This module keeps the active
interceptions and answers through their apps; :class:`mockplex.Intercept` (in
:mod:`mockplex.handle`) is what a test holds, and :mod:`mockplex.interception.patches` what the
HTTP clients meet.

Interception is process-wide, as the libraries it patches are: every thread sees it
(python-plexapi polls from a thread of its own). Blocks nest as a stack, the
innermost answering; a start from another thread while one is active is refused
(two tests in two threads would otherwise answer from each other's state); the
libraries are patched when the first block starts and restored when the last ends.

The plex.tv hosts and every host below them (``*.plex.tv``) are answered by the
mock, never by the network, while interception is active; every other host is left
to the client and to the user's own mocks (see :mod:`mockplex.interception.patches`).
So are the live fake servers' own https names, ``<address>.<hash>.plex.direct`` on any
port, each by the server whose hash it carries (the app's Plex Media Server side,
:func:`mockplex.app.pms_app_of`, told which server: ``environ[MEDIA_SERVER]``), in the
innermost interception's store; any other name below plex.direct fails at once as a
refused connection, never looked up. A server's ``http://127.0.0.1:PORT`` is no
intercepted host: it reaches the server's own socket, which an interception starts
with itself (:func:`mockplex.media.media_servers`). That rule is
:func:`mockplex.domain.hosts.decide`'s, as the proxy's is (:meth:`Interception.decide`).
Whichever way a request comes in, it is marked as intercepted, so the ``/_mockplex``
control API is not reachable on the plex.tv hosts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from mockplex.app import pms_app_of, store_of
from mockplex.domain.errors import MockplexError
from mockplex.domain.hosts import (
    EVERY_HOST,
    PLEX_HOSTS,
    Decision,
    decide,
    direct_hash_of,
    direct_refusal,
    normal,
)
from mockplex.domain.servers import LIVE_ADDRESS, Server
from mockplex.domain.store import Store
from mockplex.interception.patches import PATCHES, Answer, Dropped, Refused, Restore, Target
from mockplex.media import media_servers
from mockplex.server import LiveServer
from mockplex.web.environ import INTERCEPTED, MEDIA_SERVER
from mockplex.web.guard import MARK_HEADER, mark_header
from mockplex.web.traffic import DropConnection

STARTED_KEPT = 8  # the interceptions a report can name, the latest


class InterceptionError(MockplexError, RuntimeError):
    """Interception cannot start as asked."""


class _Stack:
    """The active interceptions of this process, innermost last, and the patches they
    share. Also the router the patches ask: the innermost interception answers."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.active: list[Interception] = []
        self.owner: threading.Thread | None = None
        self.restores: list[Restore] = []
        self.started: list[Interception] = []  # since forget_started(): for reports

    def push(self, interception: Interception) -> None:
        with self.lock:
            if interception in self.active:
                raise InterceptionError("this interception is active already")
            thread = threading.current_thread()
            if self.active and self.owner is not thread:
                raise InterceptionError(
                    f"mockplex interception is already active, started in thread "
                    f"{self.owner.name if self.owner else '?'!r}; it is process-wide "
                    "(every thread sees it), so start it once, from one thread, and let "
                    "the others use it")
            if not self.active:
                self.restores = [restore for patch in PATCHES
                                 if (restore := patch(self, MARK_HEADER, mark_header))]
                if not self.restores:
                    raise InterceptionError(
                        "mockplex intercepts requests, httpx and aiohttp, and none of them "
                        "is installed here: install the client your code uses")
                self.owner = thread
            self.active.append(interception)
            if interception not in self.started:
                self.started.append(interception)
                del self.started[:-STARTED_KEPT]

    def remove(self, interception: Interception) -> None:
        with self.lock:
            if interception not in self.active:
                return
            self.active.remove(interception)
            if not self.active:
                for restore in reversed(self.restores):
                    restore()
                self.restores, self.owner = [], None

    def forget_started(self) -> None:
        with self.lock:
            self.started = []

    def stores_started(self) -> list[Store]:
        """The stores of the interceptions started since :meth:`forget_started`."""
        with self.lock:
            return [store_of(interception.app) for interception in self.started]

    def target(self, scheme: str, host: str) -> Target | None:
        """The innermost interception, if it answers ``scheme://host``; a
        :class:`Refusal` if it refuses it (a plex.direct name of no live server)."""
        try:
            innermost = self.active[-1]
        except IndexError:  # the last one ended while a request was on its way
            return None
        decision = innermost.decide(scheme, host)
        if decision.answered:
            return innermost
        return Refusal(decision.reason) if decision.refused else None


STACK = _Stack()


class Refusal:
    """What a name interception refuses meets: a refused connection, at once."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def answer(self, method: str, url: str, headers: Iterable[tuple[str, str]],
               body: bytes) -> Answer:
        raise Refused(self.reason)

    def live_origin(self, host: str) -> tuple[str, int]:
        raise Refused(self.reason)


class Interception:
    """The app answering the plex.tv hosts (and every host below them) and its live
    servers' plex.direct names in this process while active, and the live server that
    clients needing a socket (aiohttp) reach."""

    def __init__(self, app: Flask, hosts: Iterable[str] = PLEX_HOSTS,
                 server: LiveServer | None = None) -> None:
        self.hosts = tuple(normal(host) for host in hosts)
        if not self.hosts:
            raise ValueError("intercept needs at least one host")
        self.app = app
        self.store = store_of(app)
        self._server = server
        self._own_server = False
        self._server_lock = threading.Lock()
        self._media = False  # the live fake servers were started with this interception

    def decide(self, scheme: str, host: str) -> Decision:
        """What this interception does with a request for ``scheme://host``
        (:func:`mockplex.domain.hosts.decide`): answered if the host is one of its hosts
        or below one, or a live server's plex.direct name, on any port (none is the
        network's while it is active); refused if it is another name below plex.direct;
        every other host passed through, to the client and the user's own mocks."""
        return decide(scheme, host, None, EVERY_HOST, hosts=self.hosts, below=True,
                      any_port=True, servers=self._is_live)

    def _is_live(self, direct_hash: str) -> bool:
        return self.store.server_for_direct_hash(direct_hash) is not None

    def covers(self, host: str) -> bool:
        """Is ``host`` one of this interception's hosts, or a host below one?"""
        return self.decide("https", host).answered

    @property
    def active(self) -> bool:
        return self in STACK.active

    def start(self) -> None:
        """Answer, and let the live fake servers listen (if they do not yet)."""
        STACK.push(self)
        try:
            media_servers(self.app).start()
        except BaseException:
            STACK.remove(self)
            raise
        self._media = True

    def stop(self) -> None:
        """Stop answering; restore every client once no interception is left; stop the
        live fake servers if nothing else runs them, and the server this interception
        started, if any. Idempotent."""
        STACK.remove(self)
        if self._media:
            self._media = False
            media_servers(self.app).stop()
        with self._server_lock:
            if self._own_server and self._server is not None:
                self._server.stop()
                self._server, self._own_server = None, False

    def answer(self, method: str, url: str, headers: Iterable[tuple[str, str]],
               body: bytes) -> Answer:
        """Run one request through the app, as if it had come in at ``url``: plex.tv's
        side, or for a plex.direct name the server's (:class:`Refused` if it is gone)."""
        parts = urlsplit(url)
        app, server = self.app, self._server_named(parts.hostname or "")
        builder = EnvironBuilder(
            method=method, base_url=f"{parts.scheme}://{parts.netloc}", path=parts.path or "/",
            query_string=parts.query, headers=list(headers), data=body,
        )
        environ = builder.get_environ()
        environ[INTERCEPTED] = True  # where no client can write (mockplex.web.guard)
        if server is not None:
            app = pms_app_of(self.app)
            environ[MEDIA_SERVER] = server.machine_identifier
        try:
            app_iter, status, response_headers = run_wsgi_app(app, environ, buffered=True)
            content = b"".join(app_iter)
        except DropConnection as dropped:
            raise Dropped(str(dropped)) from None
        finally:
            builder.close()
        return int(status.split(" ", 1)[0]), list(response_headers.items()), content

    def live_origin(self, host: str) -> tuple[str, int]:
        """The socket answering ``host``: a live fake server's own for its plex.direct
        name, else the app's live server."""
        server = self._server_named(host)
        if server is not None:
            port = self.store.port_of(server)
            if port is None:
                raise Refused(f"the server {server.name!r} is not listening")
            return LIVE_ADDRESS, port
        live = self.live_server()
        return live.host, live.port

    def _server_named(self, host: str) -> Server | None:
        """The live server a plex.direct ``host`` names; None for any other host.
        Raises :class:`Refused` for a plex.direct name of no live server."""
        direct_hash = direct_hash_of(host)
        if direct_hash is None:
            return None  # (another name below plex.direct never gets here: a Refusal)
        server = self.store.server_for_direct_hash(direct_hash)
        if server is None:
            raise Refused(direct_refusal(host))
        return server

    def live_server(self) -> LiveServer:
        """A live server of this app (started on first use)."""
        with self._server_lock:
            if self._server is None:
                self._server = LiveServer(self.app).start()
                self._own_server = True
            return self._server
