"""Every error of the fake servers, answered as a Plex Media Server answers errors: the
bare HTML page of its status (:func:`.answers.error`), never a traceback and never
plex.tv's error shape.

One handler each for what can be raised: werkzeug's HTTP errors (a route's 404, 401 and
400, routing's own 404 and 405, a body too large), mockplex's own
:class:`~mockplex.web.errors.PlexError` (what the guard and the traffic's checks raise
before a view: a foreign Host, headers too large, an injected status, with the fault's
headers), and anything else, which is a bug in mockplex: logged, kept for the test as a
BUG problem, and answered 500.
"""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from mockplex.pms import answers
from mockplex.web.context import current_request, store
from mockplex.web.errors import PlexError, record_bug
from mockplex.web.traffic import server_name


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {}
    if status == 405:
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return answers.error(status, headers)


def _plex_error(error: PlexError) -> Response:
    return answers.error(error.status, error.headers)


def _unexpected(error: Exception) -> Response:
    """A bug in mockplex: logged and kept for the test naming the server
    (:func:`~mockplex.web.errors.record_bug`), and answered 500."""
    record_bug(error, server_name(store(), current_request().environ))
    return answers.error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(PlexError, _plex_error)
    app.register_error_handler(Exception, _unexpected)
