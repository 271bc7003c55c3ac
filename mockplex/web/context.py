"""What a request of this app needs to know about where it is: the store of the app
serving it, the request itself, and the URL the mock is reached at (the one home of
request-scoped state, as flaskr's ``get_db``).

The store is reached one way, :func:`store_of` (``mockplex.store_of`` is this
function); :func:`store` is the same for the app serving the current request.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, current_app, request

from mockplex.domain.servers import Server
from mockplex.domain.store import Store
from mockplex.web.environ import MEDIA_SERVER

#: The key of ``app.extensions`` that holds an app's store (set by
#: :func:`mockplex.app.create_app`, read by :func:`store_of` only).
STORE = "mockplex"


def store_of(app: Flask) -> Store:
    """The store behind ``app``."""
    result: Store = app.extensions[STORE]
    return result


def store() -> Store:
    """The store of the app serving this request."""
    return store_of(current_app)


def media_server(state: Store, environ: dict[str, Any]) -> Server | None:
    """The fake server a request is for: the one whose machine identifier the way in
    put in ``environ[MEDIA_SERVER]``; None on plex.tv's side, or when it names no server
    (any more: each asker looks again, as a reset during an injected delay may have
    taken it away). The one lookup the socket's check, the faults, the route, the
    journal and the log share."""
    machine_identifier = environ.get(MEDIA_SERVER)
    if not isinstance(machine_identifier, str) or not machine_identifier:
        return None
    return state.server_for_machine_identifier(machine_identifier)


def current_request() -> Request:
    """The request being served: the object itself, not the :data:`flask.request` proxy.

    Each attribute read through the proxy looks the request up again (four calls), and
    the hooks around every request read a dozen of them: the hot path takes the request
    once and reads it directly.
    """
    served: Request = request._get_current_object()  # type: ignore[attr-defined]
    return served


def base_url(served: Request | None = None) -> str:
    """Where this mock is reached: the configured public URL, or the host of the request
    (``served``, when the caller holds it already: :func:`current_request`)."""
    configured: str | None = current_app.config["MOCKPLEX_BASE_URL"]
    if configured:
        return configured.rstrip("/")
    if served is None:
        served = current_request()
    return f"{served.scheme}://{served.host}"
