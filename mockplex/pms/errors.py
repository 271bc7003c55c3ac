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

import logging
import traceback

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from mockplex.domain.problems import BUG, Problem
from mockplex.domain.text import printable
from mockplex.pms import answers
from mockplex.web.context import current_request, store
from mockplex.web.errors import PlexError
from mockplex.web.traffic import server_name

log = logging.getLogger("mockplex")


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
    """A bug in mockplex: answered 500, logged, and kept for the test."""
    served = current_request()
    server = server_name(store(), served.environ)
    log.exception("mockplex failed on %s %s (the fake server %r)", printable(served.method),
                  printable(served.path), printable(server))
    trace = "".join(traceback.format_exception(error)).rstrip()
    store().problems.add(Problem(BUG, served.method, served.path, trace, server=server))
    return answers.error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(PlexError, _plex_error)
    app.register_error_handler(Exception, _unexpected)
