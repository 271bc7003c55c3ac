"""CORS for browsers: plex.tv's API answers pages of any origin, as a public API does
(docs/contract.md, "CORS").

flask-cors holds the rules and answers preflights. Its per-answer work is most of what
it costs a request (it builds a header view of the request, a MultiDict, and a debug
line formatted whether logged or not), and for a plain request its answer under these
rules is one header, whatever the ``Origin``: so :class:`Cors` adds that header itself
to a plain request's answer, and hands every other request to flask-cors.
tests/web/test_cors.py holds the two to the same headers, byte for byte.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from flask import Flask, Request, Response
from flask_cors import CORS

#: The paths pages of any origin may call. flask-cors reads each as a regular expression
#: matched at the start of the (decoded) path: ``/api/*`` is ``/api`` and anything after.
PATHS = (r"/api/*", r"/users/*", r"/devices/*", r"/pms/*")  # /devices/* is /devices.xml too
RESOURCES: dict[str | re.Pattern[str], dict[str, Any]] = {
    path: {"origins": "*"} for path in PATHS}
ALLOW_ORIGIN = "Access-Control-Allow-Origin"
#: The request header that asks for flask-cors's private network answer.
PRIVATE_NETWORK = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"


class Cors:
    """Adds CORS headers to every answer of ``app``: flask-cors's, configured once here.

    A plain request (not a preflight ``OPTIONS``, not asking about private networks) to
    a path of :data:`RESOURCES` gets ``Access-Control-Allow-Origin: *`` and nothing
    else: with every origin allowed and ``send_wildcard``, flask-cors sends ``*`` with
    an ``Origin`` and without one (it always sends), no ``Vary`` (the answer does not
    vary), and no credentials or exposed headers (none are configured). A plain request
    to another path gets nothing. Anything else, or an app configured with ``CORS_*``
    options (which would change flask-cors's answers), goes to flask-cors itself.
    (flask-cors also skips an answer its ``cross_origin`` decorator marked: mockplex
    has none. Its debug log lines are left out with its work.)
    """

    def __init__(self, app: Flask) -> None:
        CORS(app, resources=RESOURCES, send_wildcard=True, max_age=86400)
        # flask-cors registers its per-answer hook last: take it out, so that it runs
        # only when called from :meth:`apply` (its wrapping of the error handlers stays).
        hook = app.after_request_funcs[None].pop()
        assert hook.__name__ == "cors_after_request", hook
        self.flask_cors = hook
        # Any of the patterns, matched as flask-cors matches each: at the path's start.
        self.paths = re.compile("|".join(f"(?:{path})" for path in PATHS))
        self.plain_requests = not any(key.startswith("CORS_") for key in app.config)

    def apply(self, served: Request, response: Response) -> None:
        """Add the CORS headers ``served`` gets to ``response`` (after its view, as
        flask-cors's own hook would)."""
        if (not self.plain_requests or served.method == "OPTIONS"
                or PRIVATE_NETWORK in served.environ):
            self.flask_cors(response)
            return
        # flask-cors leaves an answer that has the header (an error handler's, which it
        # saw already, or a fault's) as it is; asked with getlist, the headers raise no
        # KeyError when it is missing, as it is from every view's answer.
        found = response.headers.getlist(ALLOW_ORIGIN)
        if found and found[0]:
            return
        path = unquote(served.path)
        if self.paths.match(path):
            response.headers.add(ALLOW_ORIGIN, "*")
