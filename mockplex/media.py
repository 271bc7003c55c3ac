"""The live fake servers on their sockets: while the mock runs, each server it answers as
a Plex Media Server (a **live** one, given no connections of its own) listens on a
loopback port of its own, and plex.tv lists that port in the server's connections.

``media_servers(app)`` (:func:`mockplex.server.media_servers`) is the one
:class:`MediaServers` of a mock's app, kept in ``app.extensions``:

- **started and stopped with the mock**: :class:`mockplex.server.LiveServer` starts it
  with the app's own server (``mockplex serve``, ``mockplex run``, the fixtures), an
  interception with itself (``intercept()``, which has no socket of its own); the starts
  are counted, and the listeners stop with the last stop, every thread with them;
- **kept in step with the store** while started (:meth:`MediaServers.sync`, one of the
  store's ``server_watchers``): a server added listens before ``add_server`` returns;
  after a reset, the listeners of servers gone stop, and those whose machine identifier
  came back (a seeded reset, a scenario's servers) keep their listener and port.

Each listener serves the app's Plex Media Server side (:func:`mockplex.app.pms_app_of`)
on ``127.0.0.1`` (nothing else is ever bound), its requests marked as the server's
(:class:`ServerRequests`). The socket machinery is the live server's own
(:class:`mockplex.server.MediaListener`), handed in: this module names no socket.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from flask import Flask

from mockplex.app import pms_app_of, store_of
from mockplex.domain.hosts import direct_hash_of
from mockplex.domain.store import Store
from mockplex.web.environ import MEDIA_SERVER

MEDIA = "mockplex.media"  # app.extensions: the app's MediaServers
_MAKING = threading.Lock()  # held while an app's MediaServers is looked up or made


class Listening(Protocol):
    """One server's socket: started (``port`` then read back), and stopped."""

    port: int

    def start(self) -> Any: ...

    def stop(self) -> None: ...


#: Makes a (not yet started) listener serving a WSGI app for a Flask app's requests.
Listen = Callable[[Flask, Any], Listening]


class ServerRequests:
    """WSGI middleware before a live server's app, on that server's socket: every request
    is for that server (``environ[MEDIA_SERVER]``, its machine identifier). A request in
    absolute form naming one of the server's own plex.direct names (the proxy relays
    ``GET http://127-0-0-1.<hash>.plex.direct:PORT/`` as it came) is read as its path:
    the relayed connection's check (:class:`mockplex.app.InterceptedRequests`) knows
    plex.tv's hosts only, and would refuse it."""

    def __init__(self, wsgi_app: Any, store: Store, machine_identifier: str) -> None:
        self.wsgi_app = wsgi_app
        self.store = store
        self.machine_identifier = machine_identifier

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ[MEDIA_SERVER] = self.machine_identifier
        target = environ.get("REQUEST_URI", "")
        if target[:1] != "/" and target[:8].lower().startswith(("http://", "https://")):
            self._own_name_to_path(environ, target)
        return self.wsgi_app(environ, start_response)

    def _own_name_to_path(self, environ: dict[str, Any], target: str) -> None:
        try:
            parts = urlsplit(target)
        except ValueError:
            return  # no URL: the app's own check refuses it
        server = self.store.server_for_machine_identifier(self.machine_identifier)
        if server is not None and direct_hash_of(parts.hostname or "") == server.direct_hash:
            environ["REQUEST_URI"] = (parts.path or "/") + (
                "?" + parts.query if parts.query else "")


class MediaServers:
    """The listeners of one mock's live servers, one per machine identifier, made with
    ``listen``; see the module's docstring."""

    def __init__(self, app: Flask, listen: Listen) -> None:
        self.app = app
        self.pms = pms_app_of(app)
        self.store = store_of(app)
        self._listen = listen
        self._lock = threading.Lock()
        self._starts = 0
        self._listeners: dict[str, Listening] = {}

    @classmethod
    def of(cls, app: Flask, listen: Listen) -> MediaServers:
        """``app``'s, made on first use."""
        with _MAKING:
            found: MediaServers | None = app.extensions.get(MEDIA)
            if found is None:
                found = app.extensions[MEDIA] = cls(app, listen)
            return found

    @property
    def running(self) -> bool:
        return self._starts > 0

    def ports(self) -> dict[str, int]:
        """The port each live server listens on, by machine identifier."""
        with self._lock:
            return {name: listener.port for name, listener in self._listeners.items()}

    def start(self) -> None:
        """Listen for every live server, and from now on for each added (counted: as
        many :meth:`stop` calls end it)."""
        with self._lock:
            self._starts += 1
            if self._starts == 1:
                self.store.server_watchers.append(self.sync)
            try:
                self._sync()
            except BaseException:
                self._stop_one()
                raise

    def stop(self) -> None:
        """Undo one :meth:`start`; the last one stops every listener (and the store
        forgets their ports). No-op when not started."""
        with self._lock:
            self._stop_one()

    def sync(self) -> None:
        """Listen for each live server that does not, stop the listeners of servers
        gone, and tell the store each port (a reset forgot them). No-op when stopped."""
        with self._lock:
            self._sync()

    def _stop_one(self) -> None:
        if self._starts == 0:
            return
        self._starts -= 1
        if self._starts:
            return
        if self.sync in self.store.server_watchers:
            self.store.server_watchers.remove(self.sync)
        listeners, self._listeners = self._listeners, {}
        for machine_identifier, listener in listeners.items():
            listener.stop()
            self.store.listen(machine_identifier, None)

    def _sync(self) -> None:
        if not self._starts:
            return
        live = [server.machine_identifier for server in self.store.live_servers()]
        for machine_identifier in [name for name in self._listeners if name not in live]:
            self._listeners.pop(machine_identifier).stop()
            self.store.listen(machine_identifier, None)
        for machine_identifier in live:
            listener = self._listeners.get(machine_identifier)
            if listener is None:
                listener = self._listen(self.pms, ServerRequests(
                    self.pms, self.store, machine_identifier))
                listener.start()
                self._listeners[machine_identifier] = listener
            self.store.listen(machine_identifier, listener.port)

    def __repr__(self) -> str:
        return f"<MediaServers {len(self._listeners)} listening>"
