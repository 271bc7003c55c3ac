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


class Relays(dict[tuple[str, str, str], Route]):
    """``(address, port, server port)`` of each relayed connection -> its :class:`Route`:
    the proxy's end of it, as WSGI's ``REMOTE_ADDR`` and ``REMOTE_PORT`` say them, and
    the port it reached, as ``SERVER_PORT`` says it. The port reached belongs in the
    key: the mock's own server and every live fake server's listen on ports of their
    own, and the system may give the proxy's connections to two of them the same local
    port, which a direct connection to the other may then have too. Read on every
    request the server answers, so it is a dict: the empty case is one C-level truth
    test. Written from the proxy's thread, under a lock."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def add(self, address: tuple[str, int], server_port: int, route: Route) -> None:
        with self._lock:
            self[key(address, server_port)] = route

    def discard(self, address: tuple[str, int], server_port: int) -> None:
        with self._lock:
            self.pop(key(address, server_port), None)


def key(address: tuple[str, int], server_port: int) -> tuple[str, str, str]:
    """A relayed connection's key, as the WSGI environ spells its parts."""
    return (address[0], str(address[1]), str(server_port))
