"""In-process interception: unchanged client code that calls https://plex.tv reaches
the mock, with no change to the URLs it uses.

- requests: a ``responses`` mock routes the plex.tv hosts to the app in-process
  (no socket) and lets every other URL pass through;
- httpx (sync and async): a ``respx`` router does the same;
- aiohttp: aioresponses builds its own ``ClientResponse`` and breaks whenever
  aiohttp changes that class (0.7.9 fails on aiohttp 3.14), so aiohttp is sent,
  unchanged in every other respect, to a live mock server on 127.0.0.1 instead:
  ``ClientSession._request`` is wrapped to swap the plex.tv origin for the local
  one and to keep the original host and scheme in the request's headers.

Whichever way a request comes in, it is marked as intercepted, so the
``/_mockplex`` control API is not reachable on the plex.tv hosts.
"""

from __future__ import annotations

import functools
import inspect
import re
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from mockplex.app import INTERCEPTED_HEADER, create_app, store_of
from mockplex.handle import MockPlex
from mockplex.paths import PLEX_HOSTS
from mockplex.server import LiveServer
from mockplex.store import Store
from mockplex.traffic import DropConnection

EXTRA = "intercept"
try:
    import httpx
    import requests
    import responses
    import respx
except ImportError as missing:  # the libraries come with an extra, not with mockplex itself
    raise ImportError(f"mockplex's interception needs the {EXTRA!r} extra, which brings "
                      f"requests, responses, httpx and respx ({missing.name} is not "
                      f"installed): pip install 'mockplex[{EXTRA}]'",
                      name=missing.name) from missing
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
F = TypeVar("F", bound=Callable[..., Any])

Answer = tuple[int, list[tuple[str, str]], bytes]


class Intercept(MockPlex):
    """A mock plex.tv that answers the plex.tv hosts in this process while active.

    ``with Intercept() as plex:`` or ``@Intercept()``; ``plex.verify(...)`` and the
    other :class:`~mockplex.MockPlex` controls work inside.
    """

    def __init__(self, store: Store | None = None, *, app: Flask | None = None,
                 hosts: Iterable[str] = PLEX_HOSTS, server: LiveServer | None = None) -> None:
        self.hosts = tuple(hosts)
        if not self.hosts:
            raise ValueError("intercept needs at least one host")
        self.app = app if app is not None else create_app(store=store)
        super().__init__(store_of(self.app), "https://" + self.hosts[0])
        self._server = server
        self._own_server = False
        self._server_lock = threading.Lock()
        self._requests: responses.RequestsMock | None = None
        self._httpx: respx.MockRouter | None = None
        self._aiohttp: Callable[[], None] | None = None

    # -- activation --------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._requests is not None

    def start(self) -> Intercept:
        if self.active:
            raise RuntimeError("this interception is active already")
        self._requests = self._start_requests()
        self._httpx = self._start_httpx()
        self._aiohttp = self._start_aiohttp()
        return self

    def stop(self) -> None:
        """Restore every client; stop the server this interception started, if any."""
        if self._requests is not None:
            self._requests.stop()
            self._requests.reset()
        if self._httpx is not None:
            self._httpx.stop()
        if self._aiohttp is not None:
            self._aiohttp()
        if self._own_server and self._server is not None:
            self._server.stop()
            self._server, self._own_server = None, False
        self._requests = self._httpx = self._aiohttp = None

    def __enter__(self) -> Intercept:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Use as a decorator: active for each call of ``func`` (sync or async)."""
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)
            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
        return run  # type: ignore[return-value]

    @property
    def browser_url(self) -> str:
        """A live server for browsers (started on first use): they cannot be intercepted."""
        return self._live_server().url

    # -- the in-process answer -------------------------------------------

    def answer(self, method: str, url: str, headers: Iterable[tuple[str, str]],
               body: bytes) -> Answer:
        """Run one request through the app, as if it had come in at ``url``."""
        parts = urlsplit(url)
        builder = EnvironBuilder(
            method=method, base_url=f"{parts.scheme}://{parts.netloc}", path=parts.path or "/",
            query_string=parts.query, headers=[*headers, (INTERCEPTED_HEADER, parts.scheme)],
            data=body,
        )
        try:
            app_iter, status, response_headers = run_wsgi_app(self.app, builder.get_environ(),
                                                              buffered=True)
            content = b"".join(app_iter)
        finally:
            builder.close()
        return int(status.split(" ", 1)[0]), list(response_headers.items()), content

    def _start_requests(self) -> responses.RequestsMock:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        pattern = re.compile(rf"https?://(?:{'|'.join(map(re.escape, self.hosts))})(?::\d+)?"
                             r"(?:[/?#].*)?$")
        for method in METHODS:
            mock.add_callback(method, pattern, callback=self._requests_callback)
        mock.add_passthru(re.compile(r".+"))
        mock.start()
        return mock

    def _requests_callback(self, request: requests.PreparedRequest) -> tuple[int, Any, bytes]:
        try:
            return self._answer_requests(request)
        except DropConnection as dropped:
            raise requests.ConnectionError(f"Connection aborted: {dropped}",
                                           request=request) from dropped

    def _answer_requests(self, request: requests.PreparedRequest) -> tuple[int, Any, bytes]:
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = b"".join(chunk if isinstance(chunk, bytes) else chunk.encode()
                            for chunk in body)
        status, headers, content = self.answer(request.method or "GET", request.url or "",
                                               request.headers.items(), body)
        return status, headers, content

    def _start_httpx(self) -> respx.MockRouter:
        router = respx.mock(assert_all_called=False, assert_all_mocked=True)
        router.route(host__in=self.hosts).mock(side_effect=self._httpx_side_effect)
        router.route().pass_through()
        router.start()
        return router

    def _httpx_side_effect(self, request: httpx.Request) -> httpx.Response:
        try:
            status, headers, content = self.answer(request.method, str(request.url),
                                                   request.headers.multi_items(),
                                                   request.read())
        except DropConnection as dropped:
            raise httpx.RemoteProtocolError(f"Server disconnected without sending a "
                                            f"response: {dropped}", request=request) from None
        return httpx.Response(status, headers=headers, content=content)

    # -- aiohttp, through a live server ----------------------------------

    def _start_aiohttp(self) -> Callable[[], None] | None:
        try:
            import aiohttp
        except ImportError:
            return None
        original = aiohttp.ClientSession._request
        intercept = self

        @functools.wraps(original)
        async def _request(session: aiohttp.ClientSession, method: str, str_or_url: Any,
                           **kwargs: Any) -> aiohttp.ClientResponse:
            url = session._build_url(str_or_url)
            if url.host in intercept.hosts and url.scheme in ("http", "https"):
                local = intercept._live_server()
                headers = dict(kwargs.pop("headers", None) or {})
                headers.update({"Host": url.authority, INTERCEPTED_HEADER: url.scheme})
                url = url.with_scheme("http").with_host(local.host).with_port(local.port)
                kwargs["headers"] = headers
            return await original(session, method, url, **kwargs)

        aiohttp.ClientSession._request = _request  # type: ignore[method-assign, assignment]

        def restore() -> None:
            aiohttp.ClientSession._request = original  # type: ignore[method-assign]

        return restore

    def _live_server(self) -> LiveServer:
        with self._server_lock:
            if self._server is None:
                self._server = LiveServer(self.app).start()
                self._own_server = True
            return self._server


def intercept(func: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """``with mockplex.intercept() as plex:``, ``@mockplex.intercept()`` or
    ``@mockplex.intercept``. Options: ``store``, ``app``, ``hosts``, ``server``."""
    interception = Intercept(**options)
    return interception(func) if func is not None else interception
