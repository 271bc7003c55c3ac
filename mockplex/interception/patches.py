"""The patches that route HTTP clients' plex.tv requests to mockplex in this process.

Each patch sits *above* the layer where mock libraries install themselves, so that a
user's own mock (responses, respx, requests-mock, pytest-httpx), started before or
after interception, keeps answering its routes while plex.tv's requests never reach
it:

- requests: ``Session.get_adapter`` gives mockplex's adapter for plex.tv URLs (responses
  patches ``HTTPAdapter.send`` below it; requests-mock swaps in its own adapter, whose
  ``send`` hands plex.tv requests on to mockplex's while interception is active);
- httpx: ``Client._transport_for_url`` (and the async client's) gives mockplex's
  transport for plex.tv URLs (respx and pytest-httpx patch the transports below it);
- aiohttp: ``ClientSession._request`` sends plex.tv requests to a live mock server on
  127.0.0.1, keeping the host the client asked for in ``Host`` and its scheme in the
  mark header, with this process's secret (:func:`mockplex.web.guard.mark_header`); a
  live fake server's plex.direct name goes to that server's own socket the same way.

A name the router refuses (a plex.direct name no live server has) fails at once as a
refused connection does, in each client's own error type (requests'
``ConnectionError``, httpx's ``ConnectError``, aiohttp's ``ClientConnectorError``),
and is never looked up. A library that is not installed is not patched. This module
knows nothing of the interception itself: it asks a :class:`Router` which target, if
any, answers a URL.
"""

from __future__ import annotations

import errno
import functools
import io
import sys
from collections.abc import Callable, Iterable
from http import HTTPStatus
from types import SimpleNamespace
from typing import Any, Protocol
from urllib.parse import urlsplit

from mockplex.domain.errors import MockplexError

Answer = tuple[int, list[tuple[str, str]], bytes]
Restore = Callable[[], None]
#: The value of the mark header for a request sent as a scheme (aiohttp's hop over loopback).
Mark = Callable[[str], str]


class Dropped(MockplexError):
    """The mock dropped the connection (an injected fault): no answer at all."""


class Refused(MockplexError):
    """No server answers the name asked for: the connection is refused."""


class Target(Protocol):
    """What answers an intercepted request."""

    def answer(self, method: str, url: str, headers: Iterable[tuple[str, str]],
               body: bytes) -> Answer:
        """Status, headers and body; raises :class:`Dropped` for a dropped connection,
        :class:`Refused` for a refused one."""

    def live_origin(self, host: str) -> tuple[str, int]:
        """Host and port of a live server answering ``host``, for clients that need a
        socket (aiohttp); raises :class:`Refused` when none does."""


class Router(Protocol):
    def target(self, scheme: str, host: str) -> Target | None:
        """Who answers a request to ``scheme://host``, or None to let it through."""


def patch_requests(router: Router, mark: str, mark_value: Mark) -> Restore | None:
    try:
        import requests
        from requests.adapters import BaseAdapter
        from requests.structures import CaseInsensitiveDict
    except ImportError:
        return None

    class PlexAdapter(BaseAdapter):
        """Answers from the target; not an HTTPAdapter, so no HTTPAdapter patch meets it."""

        def send(self, request: Any, stream: bool = False, timeout: Any = None,
                 verify: Any = True, cert: Any = None, proxies: Any = None) -> Any:
            target = router.target(*scheme_and_host(request.url))
            if target is None:  # interception ended while this request was on its way
                raise requests.ConnectionError("mockplex interception has ended",
                                               request=request)
            try:
                status, headers, content = target.answer(
                    request.method or "GET", request.url, request.headers.items(),
                    body_bytes(request.body))
            except Dropped as dropped:
                raise requests.ConnectionError(f"Connection aborted: {dropped}",
                                               request=request) from None
            except Refused as refused:
                raise requests.ConnectionError(f"Connection refused: {refused}",
                                               request=request) from None
            response = requests.Response()
            response.status_code = status
            response.reason = reason(status)
            response.headers = CaseInsensitiveDict(headers)
            response.raw = io.BytesIO(content)
            response.url = request.url
            response.request = request
            response.connection = self  # type: ignore[assignment]
            response.encoding = requests.utils.get_encoding_from_headers(response.headers)
            return response

        def close(self) -> None:
            pass

    adapter = PlexAdapter()
    previous_get_adapter = requests.Session.get_adapter

    @functools.wraps(previous_get_adapter)
    def get_adapter(session: Any, url: str) -> Any:
        if router.target(*scheme_and_host(url)) is not None:
            return adapter
        return previous_get_adapter(session, url)

    requests.Session.get_adapter = get_adapter  # type: ignore[assignment, method-assign]
    restores: list[Restore] = [
        functools.partial(setattr, requests.Session, "get_adapter", previous_get_adapter)]
    mock_restore = patch_requests_mock(router, adapter)
    if mock_restore is not None:
        restores.append(mock_restore)
    return functools.partial(run_all, restores)


def patch_requests_mock(router: Router, adapter: Any) -> Restore | None:
    """requests-mock answers every URL with its own adapter: hand plex.tv on to ours."""
    module = sys.modules.get("requests_mock.adapter")
    if module is None:  # not imported, so no mocker of it can be active
        return None
    previous_send = module.Adapter.send

    @functools.wraps(previous_send)
    def send(mock_adapter: Any, request: Any, **kwargs: Any) -> Any:
        if router.target(*scheme_and_host(request.url)) is not None:
            return adapter.send(request, **kwargs)
        return previous_send(mock_adapter, request, **kwargs)

    module.Adapter.send = send
    return lambda: setattr(module.Adapter, "send", previous_send)


def patch_httpx(router: Router, mark: str, mark_value: Mark) -> Restore | None:
    try:
        import httpx
    except ImportError:
        return None

    class PlexTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            target = router.target(request.url.scheme, request.url.host)
            if target is None:
                raise httpx.ConnectError("mockplex interception has ended", request=request)
            try:
                status, headers, content = target.answer(
                    request.method, str(request.url), request.headers.multi_items(),
                    request.read())
            except Dropped as dropped:
                raise httpx.RemoteProtocolError(f"Server disconnected without sending a "
                                                f"response: {dropped}", request=request) from None
            except Refused as refused:
                raise httpx.ConnectError(f"Connection refused: {refused}",
                                         request=request) from None
            return httpx.Response(status, headers=headers, content=content)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await request.aread()
            return self.handle_request(request)

    transport = PlexTransport()
    restores: list[Restore] = []
    for client in (httpx.Client, httpx.AsyncClient):
        previous = client._transport_for_url

        def transport_for_url(session: Any, url: httpx.URL, _previous: Any = previous) -> Any:
            if router.target(url.scheme, url.host) is not None:
                return transport
            return _previous(session, url)

        client._transport_for_url = transport_for_url  # type: ignore[assignment, method-assign]
        restores.append(functools.partial(setattr, client, "_transport_for_url", previous))
    return functools.partial(run_all, restores)


def patch_aiohttp(router: Router, mark: str, mark_value: Mark) -> Restore | None:
    try:
        import aiohttp
    except ImportError:
        return None
    original = aiohttp.ClientSession._request

    @functools.wraps(original)
    async def _request(session: aiohttp.ClientSession, method: str, str_or_url: Any,
                       **kwargs: Any) -> aiohttp.ClientResponse:
        url = session._build_url(str_or_url)
        target = router.target(url.scheme, url.host or "")
        if target is None:
            return await original(session, method, url, **kwargs)
        # Each hop of a redirect is routed here again: left to aiohttp, a redirect to
        # https://plex.tv/... would go to the network, mark and all.
        follow = kwargs.pop("allow_redirects", True)
        hops = kwargs.pop("max_redirects", 10)
        try:
            host, port = target.live_origin(url.host or "")
        except Refused as refused:
            raise refused_by_aiohttp(aiohttp, url, refused) from None
        headers = dict(kwargs.pop("headers", None) or {})
        response = await original(
            session, method, url.with_scheme("http").with_host(host).with_port(port),
            headers={**headers, "Host": url.authority, mark: mark_value(url.scheme)},
            allow_redirects=False, **kwargs)
        location = response.headers.get("Location")
        if not follow or response.status not in REDIRECTS or location is None or hops < 1:
            return response
        response.release()
        if response.status == 303 or (response.status in (301, 302) and method == "POST"):
            method = "GET"
            kwargs.pop("data", None)
            kwargs.pop("json", None)
        return await _request(session, method, url.join(yarl_url(location)),
                              headers=headers, max_redirects=hops - 1, **kwargs)

    aiohttp.ClientSession._request = _request  # type: ignore[method-assign, assignment]
    return lambda: setattr(aiohttp.ClientSession, "_request", original)


PATCHES = (patch_requests, patch_httpx, patch_aiohttp)
REDIRECTS = (301, 302, 303, 307, 308)


def refused_by_aiohttp(aiohttp: Any, url: Any, refused: Refused) -> Exception:
    """aiohttp's error for a refused connection to ``url`` (its connection key is read
    for the host, the port and ``ssl`` only: no more is made up)."""
    key = SimpleNamespace(host=url.host, port=url.port, ssl=True)
    error: Exception = aiohttp.ClientConnectorError(key, ConnectionRefusedError(
        errno.ECONNREFUSED, f"Connection refused: {refused}"))
    return error


def yarl_url(text: str) -> Any:
    from yarl import URL  # aiohttp's own URL type, there wherever aiohttp is

    return URL(text)


def run_all(restores: list[Restore]) -> None:
    """Undo patches, the last made first."""
    for restore in reversed(restores):
        restore()


def scheme_and_host(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or ""


def body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data if isinstance(data, bytes) else data.encode("utf-8")
    return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in body)


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
