"""The connections the proxy relays to the mock's own server, and what each came in as.

The proxy hands the bytes a client sent for plex.tv to the same waitress server a test
talks to, over a loopback connection of its own, without parsing them a second time.
Before it writes a byte it records that connection's local address here with the
scheme and host the client asked for; the app (:class:`mockplex.app.InterceptedRequests`)
looks each request's ``REMOTE_ADDR``/``REMOTE_PORT`` up, and answers a request found
here as that plex.tv URL, with the control API hidden. No Flask here: the proxy runs
beside the app, not in it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from mockplex.domain.paths import PROXY_HOSTS


@dataclass(frozen=True)
class Route:
    """A relayed connection: the client's ``scheme`` and ``host``, and its own address
    (what the journal shows as the request's remote address)."""

    scheme: str
    host: str
    client: str


def refusal(host: str) -> str:
    """Why the proxy does not answer for ``host``, and how to let it through."""
    return (f"mockplex's proxy answers only plex.tv's hosts ({', '.join(PROXY_HOSTS)}), "
            f"so it refused {host[:255]!r} without looking it up; to let a host through "
            f"unchanged, start the server with --proxy-passthrough {host[:255]}")


#: The one port the mock answers plex.tv's hosts on, by scheme.
PLEX_PORTS = {"https": 443, "http": 80}


def refusal_of(scheme: str, host: str, port: int | None) -> str | None:
    """Why the mock does not answer ``scheme://host:port`` as plex.tv (None: it does).
    ``port`` None is the scheme's own."""
    if host not in PROXY_HOSTS:
        return refusal(host)
    if port is not None and port != PLEX_PORTS.get(scheme):
        return (f"mockplex answers {host} on port {PLEX_PORTS.get(scheme, 443)} "
                f"({scheme}) only, not {port}")
    return None


def absolute_refusal(request_uri: str) -> tuple[str, str | None] | None:
    """For an absolute-form request target (``https://plex.tv/...``): its scheme, and why
    it is refused (None: answered); None for the usual origin form (``/api/v2/pins``)."""
    if not request_uri[:8].lower().startswith(("http://", "https://")):  # any case
        return None
    parts = urlsplit(request_uri)  # (its scheme and host come out lower-cased)
    try:
        port = parts.port
    except ValueError:
        return parts.scheme, f"not a port: {request_uri[:80]!r}"
    return parts.scheme, refusal_of(parts.scheme, (parts.hostname or "").rstrip("."), port)


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
