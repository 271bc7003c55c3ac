"""mockplex as plex.tv for unchanged programs: an HTTP proxy and a TLS listener.

``Proxy(server, ca=..., port=0, tls_port=0).start()`` runs, beside a running
:class:`~mockplex.server.LiveServer` and in one event loop thread of its own:

- a forward proxy. ``CONNECT`` to one of plex.tv's hosts (:data:`PROXY_HOSTS`, port
  443) is answered by terminating TLS with a certificate for that host from mockplex's
  CA and relaying the decrypted bytes, unparsed, to the server, so the same app, state,
  limits and journal serve it. A request in absolute form (``GET https://plex.tv/...``,
  as axios sends, or plain ``http://plex.tv``) is relayed the same way. Every other host
  is refused at once with 403, before any DNS lookup, unless it is one of the
  ``passthrough`` hosts, which are tunnelled unchanged. Which is which is one decision,
  :func:`mockplex.domain.hosts.decide`, which the app asks too for each later request
  on a relayed connection;
- a TLS listener (``tls_port``) presenting the plex.tv certificates directly, for
  programs that ignore proxy settings but can be pointed at an address (``/etc/hosts``,
  ``curl --resolve``, Chromium's ``--host-resolver-rules``).

Both answer the live fake servers' own names too, ``<address>.<hash>.plex.direct`` on
any port (the name plex.tv lists for a server's https connections): ``CONNECT`` to one,
a request in absolute form for one, or a TLS client naming one by SNI gets the server's
certificate (``*.<hash>.plex.direct``, made on first use: :class:`DirectLeaves`) and is
relayed to that server's own socket, recorded in the relays as the https name it asked
for. A plex.direct name no live server has is refused (403, before any lookup; the TLS
listener ends the handshake: its callback asks for an ``unrecognized_name`` alert, but
asyncio's TLS closes the connection without sending it, so the client sees it closed).

The relay opens its connection to the server only when the client has sent its first
bytes, so idle tunnels cost the server nothing. A client that never finishes its
request head or its TLS handshake, or a tunnel idle for :attr:`Timeouts.idle`, is
closed; past :data:`MAX_CONNECTIONS` at once, new ones are refused with 503. The loop
keeps real time even while a test freezes it (its clock is ``CLOCK_MONOTONIC``, which
freezegun leaves alone). Stopping the server stops the proxy too: every task of its loop
(each connection, each relay's copies, each TLS handshake) is cancelled, aborts its
connections and ends before the loop stops, which takes milliseconds even with tunnels
busy; its timeouts are :func:`asyncio.timeout`, never ``asyncio.wait_for``, which on
Python 3.11 can swallow the cancellation and keep a connection running.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import secrets
import socket
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from mockplex.app import relays_of, store_of
from mockplex.domain.hosts import (
    PROXY_HOSTS,
    Decision,
    decide,
    decide_url,
    direct_host,
    direct_refusal,
    is_direct_host,
    normal,
)
from mockplex.domain.paths import DEFAULT_HOST, is_loopback, reachable
from mockplex.domain.servers import LIVE_ADDRESS
from mockplex.proxy.ca import CA, DirectLeaves
from mockplex.proxy.clientenv import client_env
from mockplex.proxy.head import MAX_HEAD, Head, Refused, authority
from mockplex.proxy.relays import Route
from mockplex.proxy.streams import CHUNK, RealTimeLoop, drop, pump

if TYPE_CHECKING:
    from mockplex.server import LiveServer

log = logging.getLogger("mockplex.proxy")

#: Connections open at once past which new ones are refused (503). Idle tunnels cost the
#: server nothing (the relay connects on the first byte), so this is above its 1000.
MAX_CONNECTIONS = 4000
START_TIMEOUT = 10  # seconds to bind and start the loop
STOP_TIMEOUT = 2  # seconds for every connection to end; a stop normally takes milliseconds
LINGER = 2  # seconds a refused client's last bytes are read and dropped before closing
#: Connections the system queues for the proxy before it accepts them: a burst of more
#: waits out the client's SYN retries (a second, then three).
BACKLOG = 1024


@dataclass(frozen=True)
class Timeouts:
    """Seconds: to send a request head, to finish a TLS handshake, and of silence in
    both directions before a tunnel is closed (the server's own idle limit, too)."""

    head: float = 10
    handshake: float = 10
    idle: float = 60


class Proxy:
    """The proxy (``port``) and TLS listener (``tls_port``) of a running ``server``;
    None leaves one out, 0 picks a free port."""

    def __init__(self, server: LiveServer, *, ca: CA, host: str = DEFAULT_HOST,
                 port: int | None = 0, tls_port: int | None = None,
                 passthrough: Iterable[str] = (), credentials: str | None = None,
                 timeouts: Timeouts = Timeouts(),
                 max_connections: int = MAX_CONNECTIONS) -> None:
        if not is_loopback(host) and port is not None and not credentials:
            raise ValueError(f"a proxy on {host} is reachable from other machines: give it "
                             "credentials (USER:PASSWORD) for Proxy-Authorization")
        if credentials is not None and ":" not in credentials:
            raise ValueError("proxy credentials are USER:PASSWORD")
        self.server = server
        self.ca = ca
        self.host = host
        self.port = port
        self.tls_port = tls_port
        self.passthrough = frozenset(normal(name.strip())
                                     for name in passthrough if name.strip())
        self.credentials = credentials
        self.timeouts = timeouts
        self.max_connections = max_connections
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listeners: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._direct = DirectLeaves(ca, self._is_live)
        self._stopping = False

    # -- what a client needs -------------------------------------------------------

    @property
    def url(self) -> str:
        """The proxy's URL (without its credentials: see :meth:`env`)."""
        if self._loop is None or self.port is None:
            raise RuntimeError("the proxy is not running; call start() first")
        return f"http://{self._netloc(self.port)}"

    @property
    def tls_url(self) -> str:
        if self._loop is None or self.tls_port is None:
            raise RuntimeError("the TLS listener is not running")
        return f"https://{self._netloc(self.tls_port)}"

    def _netloc(self, port: int) -> str:
        return f"[{self.host}]:{port}" if ":" in self.host else f"{self.host}:{port}"

    @property
    def ca_path(self) -> Path:
        """The CA certificate, the file to trust."""
        return self.ca.cert_path

    @property
    def env(self) -> dict[str, str]:
        """Variables that point a process at the mock through this proxy (see
        :func:`client_env`)."""
        url = self.url
        if self.credentials:
            user, _, password = self.credentials.partition(":")
            url = url.replace("http://", f"http://{quote(user, safe='')}:"
                                         f"{quote(password, safe='')}@")
        return client_env(url, self.ca, self.server.local_url)

    # -- start and stop ------------------------------------------------------------

    def start(self) -> Proxy:
        """Bind (``CannotListen`` if a port is taken) and serve until :meth:`stop`, or
        until the server stops."""
        from mockplex.listener import CannotListen

        if self._loop is not None:
            raise RuntimeError("the proxy is already running")
        if not self.server.running:
            raise RuntimeError("start the server first: the proxy relays to it")
        bound: dict[str, socket.socket] = {}
        try:
            for name in ("port", "tls_port"):
                if getattr(self, name) is not None:
                    bound[name] = self._bind(getattr(self, name))
        except OSError as error:
            for sock in bound.values():
                sock.close()
            raise CannotListen(f"cannot listen on {self.host}: {error}") from error
        self._contexts = self._leaf_contexts()
        self._stopping = False
        loop = self._loop = RealTimeLoop()
        self._thread = threading.Thread(target=loop.run_forever, daemon=True,
                                        name="mockplex:proxy")
        self._thread.start()
        self.server.companions.append(self)
        try:
            for name, sock in bound.items():
                setattr(self, name, sock.getsockname()[1])
                future = asyncio.run_coroutine_threadsafe(
                    self._listen(sock, tls=name == "tls_port"), loop)
                self._listeners.append(future.result(START_TIMEOUT))
        except BaseException:
            self.stop()
            for sock in bound.values():
                sock.close()
            raise
        return self

    def _bind(self, port: int) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP named, so that asyncio sees the accepted sockets as TCP and turns
        # Nagle's algorithm off on them: with it on, an answer relayed in two writes
        # waits for the client's delayed ACK (40 ms a poll).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, port))
            sock.listen(BACKLOG)
        except OSError:
            sock.close()
            raise
        return sock

    def _leaf_contexts(self) -> dict[str, ssl.SSLContext]:
        contexts = self.ca.contexts(PROXY_HOSTS)

        def by_name(sslobj: ssl.SSLObject, name: str | None,
                    context: ssl.SSLContext) -> int | None:
            # The certificate of the name the client asked for (SNI), if it is one of
            # plex.tv's or a live server's plex.direct name: what the TLS listener
            # presents. Another plex.direct name ends the handshake.
            host = normal(name or "")
            chosen = contexts.get(host)
            if chosen is None and is_direct_host(host):
                decision = self._decide_direct(host)
                if decision.direct_hash is None:
                    return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
                chosen = self._direct.context(decision.direct_hash)
            if chosen is not None:
                sslobj.context = chosen
            return None
        for context in contexts.values():
            context.sni_callback = by_name
        return contexts

    def _is_live(self, direct_hash: str) -> bool:
        """Is ``direct_hash`` a live server's (of the server's store)?"""
        return store_of(self.server.app).server_for_direct_hash(direct_hash) is not None

    def _decide_direct(self, host: str) -> Decision:
        return decide("https", host, None, servers=self._is_live)

    def _direct_port(self, direct_hash: str) -> int:
        """The port of the live server ``direct_hash`` names; :class:`Refused` (502) if
        it has gone (a reset) or does not listen."""
        store = store_of(self.server.app)
        server = store.server_for_direct_hash(direct_hash)
        port = store.port_of(server) if server is not None else None
        if port is None:
            raise Refused(502, direct_refusal(direct_host(LIVE_ADDRESS, direct_hash))
                          if server is None else f"the server {server.name!r} is not "
                                                 "listening: is the mock running?")
        return port

    async def _listen(self, sock: socket.socket, *, tls: bool) -> asyncio.Server:
        handler = self._tls_client if tls else self._proxy_client

        async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            try:
                try:
                    if len(self._tasks) > self.max_connections:
                        if not tls:
                            writer.write(Refused(503, f"the proxy has {self.max_connections} "
                                                      "connections open; try again").response())
                    else:
                        await handler(reader, writer)
                except (OSError, asyncio.IncompleteReadError, ssl.SSLError):
                    pass  # the client went away; nobody to tell
                except Exception:  # pragma: no cover - a bug: logged, the loop serves on
                    log.exception("mockplex's proxy failed on a connection")
                await self._close(reader, writer)
            except asyncio.CancelledError:
                # stop() cancels every connection, wherever it is, its closing included:
                # it ends as any other (Python 3.11's streams log a connection task
                # that ends cancelled as an error)
                pass
            finally:
                writer.transport.abort()
                self._tasks.discard(task)  # counted until closed

        return await asyncio.start_server(  # (it listens again: with its backlog, 100 by
            tracked, sock=sock, limit=MAX_HEAD, backlog=BACKLOG,  # default, unless told)
            ssl=self._contexts[PROXY_HOSTS[0]] if tls else None,
            ssl_handshake_timeout=self.timeouts.handshake if tls else None)

    async def _close(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Close gracefully (the caller then aborts), not at all when the proxy stops:
        what is written is sent, TLS says close_notify, and on plain TCP what the client
        still sends is read and dropped for a moment (closing with unread bytes would
        send a reset, which can destroy the answer before the client reads it)."""
        if self._stopping:
            return
        if writer.can_write_eof():
            with contextlib.suppress(OSError, TimeoutError):
                writer.write_eof()
                async with asyncio.timeout(LINGER):
                    await drop(reader, MAX_HEAD)
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(self.timeouts.head):
                await writer.wait_closed()

    def stop(self) -> None:
        """Stop listening, end every connection and stop the loop, within
        :data:`STOP_TIMEOUT` (milliseconds, normally); idempotent."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = self._thread = None
        self._stopping = True
        if thread.is_alive():
            ended = asyncio.run_coroutine_threadsafe(self._end_all(), loop)
            try:
                ended.result(STOP_TIMEOUT)
            except TimeoutError:  # pragma: no cover - a bug: a task ignores its cancel
                ended.cancel()
            loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT)
        # A task still pending is a bug: named, and the loop left open (closed under it,
        # it would print "Event loop is closed" when collected).
        if thread.is_alive():  # pragma: no cover
            log.error("mockplex's proxy loop did not stop within %s s", STOP_TIMEOUT)
        elif left := asyncio.all_tasks(loop):  # pragma: no cover
            log.error("mockplex's proxy stopped with tasks that ignored their "
                      "cancellation for %s s: %s", STOP_TIMEOUT, left)
        else:
            loop.close()
        self._listeners.clear()
        with contextlib.suppress(ValueError):
            self.server.companions.remove(self)

    async def _end_all(self) -> None:
        """In the loop: stop listening, then cancel every other task of the loop (each
        connection, each relay's copies, each TLS handshake not yet a connection) and
        wait until all have ended, each having aborted its connections, so that none is
        left pending when the loop stops."""
        for listener in self._listeners:
            listener.close()
        this = asyncio.current_task()
        while pending := asyncio.all_tasks() - {this}:
            for task in pending:
                task.cancel()
            await asyncio.wait(pending)

    def __enter__(self) -> Proxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the connections -----------------------------------------------------------

    async def _proxy_client(self, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
        client = writer.get_extra_info("peername")[0]
        try:
            head = await self._read_head(reader)
            if head is None:
                return
            self._authorize(head)
            if head.method == "CONNECT":
                await self._connect(head, client, reader, writer)
            else:
                await self._absolute(head, client, reader, writer)
        except Refused as refused:
            log.info("%s refused: %s", client, refused)
            writer.write(refused.response())
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(self.timeouts.head):
                    await writer.drain()

    async def _read_head(self, reader: asyncio.StreamReader) -> Head | None:
        try:
            async with asyncio.timeout(self.timeouts.head):
                raw = await reader.readuntil(b"\r\n\r\n")
        except TimeoutError:
            raise Refused(408, f"no complete request head within {self.timeouts.head:g} s"
                          ) from None
        except asyncio.LimitOverrunError:
            raise Refused(431, f"request head over {MAX_HEAD} bytes") from None
        except asyncio.IncompleteReadError:
            return None  # closed before a whole head: nothing to answer
        return Head.parse(raw)

    def _authorize(self, head: Head) -> None:
        if self.credentials is None:
            return
        scheme, _, encoded = (head.authorization or "").partition(" ")
        try:
            given = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            given = ""
        if scheme.lower() != "basic" or not secrets.compare_digest(given, self.credentials):
            raise Refused(407, "this proxy needs Proxy-Authorization (Basic, the "
                               "credentials it was started with)",
                          {"Proxy-Authenticate": 'Basic realm="mockplex"'})

    async def _connect(self, head: Head, client: str, reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> None:
        host, port = authority(head.target)
        decision = decide("https", host, port, self.passthrough, tunnel=True,
                          servers=self._is_live)
        if decision.answered:
            context = (self._contexts[host] if decision.direct_hash is None
                       else self._direct.context(decision.direct_hash))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await writer.start_tls(context, ssl_handshake_timeout=self.timeouts.handshake)
            await self._to_server(Route("https", host, client), reader, writer,
                                  direct_hash=decision.direct_hash)
        elif decision.passes:
            upstream = await self._open(host, port)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await pump(reader, writer, *upstream, idle=self.timeouts.idle)
        else:
            raise Refused(decision.status, decision.reason)

    async def _absolute(self, head: Head, client: str, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> None:
        try:
            parts = urlsplit(head.target)
        except ValueError:  # http://[::1/...: no URL
            parts = urlsplit("")
        host = normal(parts.hostname or "")
        if parts.scheme not in ("http", "https") or not host:
            raise Refused(400, "this is mockplex's proxy: send CONNECT host:443, or a "
                               "request with an absolute URL (GET https://plex.tv/...); "
                               f"got {head.method[:20]} {head.target[:80]!r}")
        # (plex.tv:22 is refused as CONNECT plex.tv:22 is)
        decision = decide_url(head.target, self.passthrough, servers=self._is_live)
        if decision.answered:
            await self._to_server(Route(parts.scheme, host, client), reader, writer,
                                  first=head.raw, direct_hash=decision.direct_hash)
        elif decision.passes:  # plain http only
            upstream = await self._open(host, parts.port or 80)
            upstream[1].write(head.without_proxy_headers())
            await pump(reader, writer, *upstream, idle=self.timeouts.idle)
        else:
            raise Refused(decision.status, decision.reason)

    async def _tls_client(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        client = writer.get_extra_info("peername")[0]
        context = writer.get_extra_info("ssl_object").context
        direct_hash = self._direct.hash_of(context)
        if direct_hash is not None:  # a live server's, chosen by SNI
            host = direct_host(LIVE_ADDRESS, direct_hash)
        else:
            host = next((name for name, known in self._contexts.items() if known is context),
                        PROXY_HOSTS[0])
        try:
            await self._to_server(Route("https", host, client), reader, writer,
                                  direct_hash=direct_hash)
        except Refused as refused:
            log.info("%s refused: %s", client, refused)
            writer.write(refused.response())

    async def _open(self, host: str, port: int) -> tuple[asyncio.StreamReader,
                                                          asyncio.StreamWriter]:
        try:
            async with asyncio.timeout(self.timeouts.handshake):
                return await asyncio.open_connection(host, port)
        except (TimeoutError, OSError) as error:
            raise Refused(502, f"cannot reach {host}:{port}: {error or 'timed out'}"
                          ) from None

    async def _to_server(self, route: Route, reader: asyncio.StreamReader,
                         writer: asyncio.StreamWriter, first: bytes = b"",
                         direct_hash: str | None = None) -> None:
        """Relay to the server once the client has said something, its connection
        recorded in the relays so the app knows what the client asked for: the mock's
        own server, or with ``direct_hash`` that live fake server's socket."""
        if not first:
            try:
                async with asyncio.timeout(self.timeouts.idle):
                    first = await reader.read(CHUNK)
            except TimeoutError:
                return
            if not first:
                return
        if direct_hash is None:
            host, port = reachable(self.server.host), self.server.port
        else:
            host, port = LIVE_ADDRESS, self._direct_port(direct_hash)
        up_reader, up_writer = await asyncio.open_connection(host, port)
        address = up_writer.get_extra_info("sockname")
        relays = relays_of(self.server.app)
        relays.add(address, port, route)
        try:
            up_writer.write(first)
            await pump(reader, writer, up_reader, up_writer, idle=self.timeouts.idle)
        finally:
            relays.discard(address, port)
