"""What a request of this app needs to know about where it is: the store of the app
serving it, and the URL the mock is reached at (the one home of request-scoped state,
as flaskr's ``get_db``)."""

from __future__ import annotations

from flask import current_app, request

from mockplex.domain.store import Store


def store() -> Store:
    """The store of the app serving this request."""
    result: Store = current_app.extensions["mockplex"]
    return result


def base_url() -> str:
    """Where this mock is reached: the configured public URL, or the request's host."""
    configured: str | None = current_app.config["MOCKPLEX_BASE_URL"]
    if configured:
        return configured.rstrip("/")
    return f"{request.scheme}://{request.host}"
