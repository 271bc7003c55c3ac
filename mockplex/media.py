"""The live fake servers on their sockets: while the mock runs, each server it answers as
a Plex Media Server (a **live** one, given no connections of its own) listens on a
loopback port of its own, and plex.tv lists that port in the server's connections.

:func:`media_servers` gives the one :class:`MediaServers` of a mock's app, kept in
``app.extensions``:

- **started and stopped with the mock**: :class:`mockplex.server.LiveServer` starts it
  with the app's own server (``mockplex serve``, ``mockplex run``, the fixtures), an
  interception with itself (``intercept()``, which has no socket of its own); the starts
  are counted, and the listeners stop with the last stop, every thread with them;
- **kept in step with the store** while started (:meth:`MediaServers.sync`, one of the
  store's ``server_watchers``): a server added listens before ``add_server`` returns;
  after a reset, the listeners of servers gone stop, and those whose machine identifier
  came back (a seeded reset, a scenario's servers) keep their listener and port.

Each listener (:class:`mockplex.listener.MediaListener`) serves the app's Plex Media
Server side (:func:`mockplex.app.pms_app_of`) on ``127.0.0.1`` (nothing else is ever
bound), its requests marked as the server's (:class:`ServerRequests`). Which hosts a
request in absolute form may name there is the server side's own check
(:class:`mockplex.app.InterceptedServerRequests`), not this module's.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from flask import Flask

from mockplex.app import pms_app_of, store_of
from mockplex.domain.store import Store
from mockplex.listener import CannotListen, MediaListener
from mockplex.web.environ import MEDIA_SERVER

#: Each store's MediaServers: the store keeps the ports and the faults, so two apps on
#: one store (an Intercept handle's intercept() makes one) share one set of sockets.
_BY_STORE: weakref.WeakKeyDictionary[Store, MediaServers] = weakref.WeakKeyDictionary()
_MAKING = threading.Lock()  # held while a store's MediaServers is looked up or made


class ServerRequests:
    """WSGI middleware before a live server's app, on that server's socket: every request
    is for that server (``environ[MEDIA_SERVER]``, its machine identifier)."""

    def __init__(self, wsgi_app: Any, machine_identifier: str) -> None:
        self.wsgi_app = wsgi_app
        self.machine_identifier = machine_identifier

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ[MEDIA_SERVER] = self.machine_identifier
        return self.wsgi_app(environ, start_response)


def media_servers(app: Flask) -> MediaServers:
    """The live fake servers of mock ``app``'s store on their sockets, made on first use
    (one per store, whichever of the store's apps asks first serves them): a
    :class:`mockplex.server.LiveServer` of the app starts them with itself, an
    interception (:mod:`mockplex.interception.stack`) too."""
    store = store_of(app)
    with _MAKING:
        found = _BY_STORE.get(store)
        if found is None:
            found = _BY_STORE[store] = MediaServers(app)
        return found


class MediaServers:
    """The listeners of one mock's live servers, one per machine identifier; see the
    module's docstring (:func:`media_servers` gives an app's)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.store = store_of(app)
        self._lock = threading.Lock()
        self._starts = 0
        self._listeners: dict[str, MediaListener] = {}

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
        failed: list[tuple[str, CannotListen]] = []
        for machine_identifier in live:
            listener = self._listeners.get(machine_identifier)
            if listener is None:
                pms = pms_app_of(self.app)  # (built with the first live server)
                listener = MediaListener(pms, ServerRequests(pms, machine_identifier))
                try:
                    listener.start()
                except CannotListen as error:  # out of descriptors, say: the others go on
                    failed.append((machine_identifier, error))
                    continue
                self._listeners[machine_identifier] = listener
            self.store.listen(machine_identifier, listener.port)
        if failed:
            raise CannotListen("; ".join(f"the live server {name} cannot listen: {error}"
                                         for name, error in failed))

    def __repr__(self) -> str:
        return f"<MediaServers {len(self._listeners)} listening>"
