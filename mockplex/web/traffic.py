"""What passes through the app: every plex.tv-side request is journaled, and
injected faults meet the requests they match."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, current_app, request
from waitress.channel import ClientDisconnected
from werkzeug.exceptions import RequestEntityTooLarge

from mockplex.domain import xplex
from mockplex.domain.clock import real_monotonic
from mockplex.domain.faults import Fault, Faults
from mockplex.domain.journal import BODY_LIMIT, Entry
from mockplex.domain.paths import is_control_path
from mockplex.domain.problems import UNMATCHED, Problem
from mockplex.domain.store import Store
from mockplex.web.context import store
from mockplex.web.environ import COOKIE_SET, FOREIGN_HOST, UNEMULATED
from mockplex.web.errors import PlexError
from mockplex.web.guard import redacted, redacted_headers


class FaultError(PlexError):
    """An injected error status, answered in plex.tv's error shape."""

    def __init__(self, fault: Fault) -> None:
        assert fault.status is not None
        super().__init__(fault.message or "mockplex: an injected fault", status=fault.status)
        self.headers = dict(fault.headers)


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class DropConnection(ClientDisconnected):
    """Close the connection without an answer (waitress does so for this exception)."""


class FaultMiddleware:
    """Meets each request with its fault: waits ``delay_ms``, drops the connection,
    or hands an error status on to the app (``environ["mockplex.fault"]``)."""

    def __init__(self, wsgi_app: WSGIApp, faults: Faults,
                 on_drop: Callable[[dict[str, Any]], None]) -> None:
        self.wsgi_app = wsgi_app
        self.faults = faults
        self.on_drop = on_drop

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        fault = self.faults.take(environ.get("REQUEST_METHOD", "GET"),
                                 environ.get("PATH_INFO", ""))
        if fault is not None:
            if fault.delay_ms:
                self.faults.pause(fault.delay_ms / 1000)
            if fault.drop:
                self.on_drop(environ)
                raise DropConnection(f"mockplex dropped {environ.get('PATH_INFO')} "
                                     "(an injected fault)")
            if fault.status is not None:
                environ["mockplex.fault"] = fault
        return self.wsgi_app(environ, start_response)


def journaled(path: str) -> bool:
    """The control API and its static files are not the plex.tv side."""
    return not is_control_path(path)


def raw_body() -> bytes:
    try:
        return request.get_data(cache=True)[:BODY_LIMIT + 1]  # one more: the entry says "cut"
    except RequestEntityTooLarge:
        return f"(a body over {current_app.config['MAX_CONTENT_LENGTH']} bytes)".encode()


def host_of(environ: dict[str, Any]) -> str:
    return str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))


def answer_body(response: Response) -> bytes:
    """What the journal keeps of an answer's body (a streamed one is not read)."""
    chunks = response.response
    if isinstance(chunks, list):  # set whole (the cheap case: no need to encode again)
        try:
            return b"".join(chunks)[:BODY_LIMIT]
        except TypeError:  # text chunks: encoded below
            pass
    if response.is_streamed or response.direct_passthrough:
        return b""
    return response.get_data()[:BODY_LIMIT]


def xplex_headers(environ: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((key, value) for key, value in environ.items()
                 if key.startswith(xplex.ENVIRON_PREFIX))


def _before() -> None:
    """First of all: headers too large, then an injected status; then keep the raw body
    for the journal (read now, form parsing reads the cached copy; read after it, it
    would be gone)."""
    limit: int = current_app.config["MOCKPLEX_MAX_HEADER_BYTES"]
    size = sum(len(key) + len(value) for key, value in request.environ.items()
               if key.startswith("HTTP_"))
    if size > limit:
        raise PlexError(f"the request's headers take {size} bytes, over mockplex's "
                        f"{limit}", status=431)
    fault = request.environ.get("mockplex.fault")
    if fault is not None:
        raise FaultError(fault)
    if journaled(request.path):
        request.environ["mockplex.began"] = real_monotonic()
        request.get_data(cache=True)


def _record(response: Response) -> Response:
    if journaled(request.path):
        environ = request.environ
        state = store()
        matched = request.url_rule is not None and UNEMULATED not in environ
        fault = "mockplex.fault" in environ
        began = environ.get("mockplex.began")
        state.journal.record(Entry(
            time=state.clock.now(), method=request.method, path=request.path,
            query_string=redacted(environ.get("QUERY_STRING", "")),
            xplex_headers=xplex_headers(environ), raw_body=raw_body(),
            status=response.status_code, matched=matched, fault=fault,
            scheme=environ.get("wsgi.url_scheme", "http"), host=host_of(environ),
            content_type=environ.get("CONTENT_TYPE", ""),
            response_headers=(redacted_headers(response.headers.to_wsgi_list())
                              if COOKIE_SET in environ
                              else tuple(response.headers.to_wsgi_list())),
            response_body=answer_body(response),
            duration_ms=0.0 if began is None else (real_monotonic() - began) * 1000,
        ))
        # An injected fault is never a problem, nor a request refused for its Host.
        if not matched and not fault and FOREIGN_HOST not in environ:
            state.problems.add(Problem(UNMATCHED, request.method, request.path))
    return response


def init_app(app: Flask) -> None:
    state: Store = app.extensions["mockplex"]  # the middleware runs outside any request

    def dropped(environ: dict[str, Any]) -> None:
        path = environ.get("PATH_INFO", "")
        if journaled(path):
            state.journal.record(Entry(time=state.clock.now(),
                                       method=environ.get("REQUEST_METHOD", "GET"), path=path,
                                       query_string=redacted(environ.get("QUERY_STRING", "")),
                                       xplex_headers=xplex_headers(environ), status=None,
                                       fault=True, scheme=environ.get("wsgi.url_scheme", "http"),
                                       host=host_of(environ)))

    app.before_request_funcs.setdefault(None, []).insert(0, _before)
    app.after_request(_record)
    app.wsgi_app = FaultMiddleware(app.wsgi_app, state.faults,  # type: ignore[method-assign]
                                   dropped)
