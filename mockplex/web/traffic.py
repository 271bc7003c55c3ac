"""What passes through an app: every plex.tv-side request is journaled (:class:`Traffic`),
and every request to a fake Plex Media Server (the app of :mod:`mockplex.pms`, whose
entries name the server: :class:`ServerTraffic`); injected faults meet the requests they
match, each side's its own. The plex.tv side never looks a server up."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask, Request, Response
from waitress.channel import ClientDisconnected
from werkzeug.exceptions import RequestEntityTooLarge

from mockplex.domain import xplex
from mockplex.domain.clock import real_monotonic
from mockplex.domain.faults import Fault, Faults
from mockplex.domain.journal import BODY_LIMIT, Entry
from mockplex.domain.paths import is_control_path
from mockplex.domain.problems import UNMATCHED, Problem
from mockplex.domain.store import Store
from mockplex.web.context import media_server, store_of
from mockplex.web.environ import (
    BEGAN,
    COOKIE_SET,
    ENDED,
    FAULT,
    FOREIGN_HOST,
    REFUSED,
    UNEMULATED,
    XPLEX_HEADERS,
)
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
    or hands an error status on to the app (``environ[FAULT]``). ``server_of`` names
    the fake server a request is for, which the faults match (None, the plex.tv side:
    no server asked for)."""

    def __init__(self, wsgi_app: WSGIApp, faults: Faults,
                 on_drop: Callable[[dict[str, Any]], None],
                 server_of: Callable[[dict[str, Any]], str] | None = None) -> None:
        self.wsgi_app = wsgi_app
        self.faults = faults
        self.on_drop = on_drop
        self.server_of = server_of

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        server_of = self.server_of
        fault = self.faults.take(environ.get("REQUEST_METHOD", "GET"),
                                 environ.get("PATH_INFO", ""),
                                 None if server_of is None else server_of(environ))
        if fault is not None:
            if fault.delay_ms:
                self.faults.pause(fault.delay_ms / 1000, environ.get(ENDED))
            if fault.drop:
                self.on_drop(environ)
                raise DropConnection(f"mockplex dropped {environ.get('PATH_INFO')} "
                                     "(an injected fault)")
            if fault.status is not None:
                environ[FAULT] = fault
        return self.wsgi_app(environ, start_response)


def journaled(path: str) -> bool:
    """The control API and its static files are not the plex.tv side."""
    return not is_control_path(path)


def server_name(store: Store, environ: dict[str, Any]) -> str:
    """The name of the fake server a request of the media servers' app is for
    (``environ[MEDIA_SERVER]``, its machine identifier); "" when it names none."""
    server = media_server(store, environ)
    return "" if server is None else server.name


def may_have_body(environ: dict[str, Any]) -> bool:
    """Could werkzeug read a body from this request? None without a Content-Length,
    unless the server says it ends the stream itself (waitress does; in-process
    interception does not, and sends a Content-Length with a body). Without one the
    body is ``b""``, known without building the request's stream to read nothing."""
    return "CONTENT_LENGTH" in environ or "wsgi.input_terminated" in environ


def raw_body(served: Request, config: Mapping[str, Any]) -> bytes:
    """What the journal keeps of the request's body (one byte more than an entry keeps,
    so that the entry says "cut")."""
    if not may_have_body(served.environ):
        return b""
    try:
        return served.get_data(cache=True)[:BODY_LIMIT + 1]
    except RequestEntityTooLarge:
        return f"(a body over {config['MAX_CONTENT_LENGTH']} bytes)".encode()


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


Headers = tuple[tuple[str, str], ...]


def xplex_headers(environ: dict[str, Any]) -> Headers:
    """The request's X-Plex headers, as the journal keeps them: (environ key, value)."""
    return read_headers(environ)[1]


def read_headers(environ: dict[str, Any]) -> tuple[int, Headers]:
    """One pass over the request's headers (the environ holds more than them): what they
    take, as the cap counts it (each name, as its environ key, and value), and the
    X-Plex ones, as the journal keeps them."""
    size = 0
    found = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            size += len(key) + len(value)
            if key.startswith(xplex.ENVIRON_PREFIX):
                found.append((key, value))
    return size, tuple(found)


class Traffic:
    """The journal and the faults meeting each request of the plex.tv app: called by the
    app's hooks (:mod:`mockplex.app`) with the request itself, read once per hook. Its
    entries name no server, and only the faults of the plex.tv side meet its requests."""

    def __init__(self, app: Flask) -> None:
        self.store = store_of(app)
        self.config = app.config  # read per request: a test may change it

    def journaled(self, path: str) -> bool:
        return journaled(path)

    def server_of(self, environ: dict[str, Any]) -> str:
        """The name of the fake server a request is for: "" (the plex.tv side's)."""
        return ""

    def middleware(self, wsgi_app: WSGIApp) -> FaultMiddleware:
        """The faults meeting the app's requests, before Flask."""
        return FaultMiddleware(wsgi_app, self.store.faults, self.dropped)

    def before(self, served: Request) -> None:
        """First of all: headers too large, then an injected status; then keep the raw
        body for the journal (read now, form parsing reads the cached copy; read after
        it, it would be gone)."""
        environ = served.environ
        limit: int = self.config["MOCKPLEX_MAX_HEADER_BYTES"]
        size, plex = read_headers(environ)
        environ[XPLEX_HEADERS] = plex  # for the journal: the headers are read once
        if size > limit:
            raise PlexError(f"the request's headers take {size} bytes, over mockplex's "
                            f"{limit}", status=431)
        fault = environ.get(FAULT)
        if fault is not None:
            raise FaultError(fault)
        if self.journaled(served.path):
            environ[BEGAN] = real_monotonic()
            if may_have_body(environ):
                served.get_data(cache=True)

    def record(self, served: Request, response: Response) -> None:
        """The journal's entry for a request, and a problem for the test when no
        emulated route answered it."""
        path = served.path
        if not self.journaled(path):
            return
        environ = served.environ
        state = self.store
        matched = served.url_rule is not None and UNEMULATED not in environ
        fault = FAULT in environ
        began = environ.get(BEGAN)
        plex = environ.get(XPLEX_HEADERS)
        if plex is None:  # the guard refused the request before the headers were read
            plex = xplex_headers(environ)
        headers = tuple(response.headers)  # (name, value) pairs, as sent
        server = self.server_of(environ)
        state.journal.record_request(
            time=state.clock.now(), method=served.method, path=path,
            query_string=redacted(environ.get("QUERY_STRING", "")),
            xplex_headers=plex, raw_body=raw_body(served, self.config),
            status=response.status_code, matched=matched, fault=fault,
            scheme=environ.get("wsgi.url_scheme", "http"), host=host_of(environ),
            content_type=environ.get("CONTENT_TYPE", ""),
            response_headers=redacted_headers(headers) if COOKIE_SET in environ else headers,
            response_body=answer_body(response),
            duration_ms=0.0 if began is None else (real_monotonic() - began) * 1000,
            server=server,
        )
        # An injected fault is never a problem, nor a request refused for its Host or
        # for the host it names (a relayed request in absolute form).
        if not matched and not fault and FOREIGN_HOST not in environ and REFUSED not in environ:
            state.problems.add(Problem(UNMATCHED, served.method, path, server=server))

    def dropped(self, environ: dict[str, Any]) -> None:
        """The entry of a request whose connection a fault dropped (outside any request
        context: the middleware runs before Flask)."""
        path = environ.get("PATH_INFO", "")
        if self.journaled(path):
            state = self.store
            state.journal.record(Entry(time=state.clock.now(),
                                       method=environ.get("REQUEST_METHOD", "GET"), path=path,
                                       query_string=redacted(environ.get("QUERY_STRING", "")),
                                       xplex_headers=xplex_headers(environ), status=None,
                                       fault=True, scheme=environ.get("wsgi.url_scheme", "http"),
                                       host=host_of(environ),
                                       server=self.server_of(environ)))


class ServerTraffic(Traffic):
    """:class:`Traffic` of the fake Plex Media Servers' app (:mod:`mockplex.pms`): every
    path is theirs (they have no control API), each entry and problem names the server
    asked, and only the faults aimed at servers meet their requests."""

    def journaled(self, path: str) -> bool:
        return True

    def server_of(self, environ: dict[str, Any]) -> str:
        """The name of the fake server a request is for (:func:`server_name`)."""
        return server_name(self.store, environ)

    def middleware(self, wsgi_app: WSGIApp) -> FaultMiddleware:
        return FaultMiddleware(wsgi_app, self.store.faults, self.dropped, self.server_of)


def init_app(app: Flask, kind: type[Traffic] = Traffic) -> Traffic:
    """Meet ``app``'s requests with their faults (the middleware); the app's hooks call
    the returned :class:`Traffic` (or ``kind``: :class:`ServerTraffic` for the fake
    servers' app) before and after each view."""
    traffic = kind(app)
    app.wsgi_app = traffic.middleware(app.wsgi_app)  # type: ignore[method-assign]
    return traffic
