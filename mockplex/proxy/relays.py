"""The connections the proxy relays to the mock's own server, and what each came in as.

The proxy hands the bytes a client sent for plex.tv to the same waitress server a test
talks to, over a loopback connection of its own, without parsing them a second time.
Before it writes a byte it records that connection's local address here with the
scheme and host the client asked for; the app (:class:`mockplex.app.InterceptedRequests`)
looks each request's ``REMOTE_ADDR``/``REMOTE_PORT`` up, and answers a request found
here as that plex.tv URL, with the control API hidden (a later request on the connection
that names another URL is checked by :func:`mockplex.domain.hosts.decide_url`, as the
proxy checks the first). No Flask here: the proxy runs beside the app, not in it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    """A relayed connection: the client's ``scheme`` and ``host``, and its own address
    (what the journal shows as the request's remote address)."""

    scheme: str
    host: str
    client: str


class Relays(dict[tuple[str, str], Route]):
    """``(address, port)`` (as WSGI's ``REMOTE_ADDR`` and ``REMOTE_PORT`` say them) of
    the proxy's end of each relayed connection -> its :class:`Route`. Read on every
    request the server answers, so it is a dict: the empty case is one C-level truth
    test. Written from the proxy's thread, under a lock."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def add(self, address: tuple[str, int], route: Route) -> None:
        with self._lock:
            self[(address[0], str(address[1]))] = route

    def discard(self, address: tuple[str, int]) -> None:
        with self._lock:
            self.pop((address[0], str(address[1])), None)
