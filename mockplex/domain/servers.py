"""Fake Plex Media Servers, who owns them and who they are shared with, with no web
framework in it.

A server belongs to an account; sharing it with another account makes the two
friends. What a test does not give is made up. A server given no connections is
**live**: mockplex answers it as a minimal Plex Media Server on a loopback port of its
own (:mod:`mockplex.media` listens, and tells the store the port: :meth:`Servers.listen`),
and plex.tv lists the connections that reach it (:meth:`Servers.connections_of`): its
plex.direct name and ``http://127.0.0.1:PORT``, each as a local connection and again as
a remote one. A server given connections keeps exactly those, so a test can model
a server that does not answer (:data:`REFUSING`, say).

:class:`Servers` is not locked itself: the :class:`~mockplex.domain.store.Store` that owns
it calls it with the store's lock held.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from mockplex.domain.accounts import TOKEN_ALPHABET, TOKEN_LENGTH
from mockplex.domain.errors import MockplexError
from mockplex.domain.hosts import direct_host
from mockplex.domain.ids import random_string, unique
from mockplex.domain.libraries import Library, libraries_of
from mockplex.domain.limits import CONNECTIONS_MAX, LIVE_SERVERS_MAX, check_text
from mockplex.domain.text import shown

#: A connection that refuses at once (port 1 on the loopback interface, which nothing
#: listens on): what a test gives to model a server that does not answer.
REFUSING = "http://127.0.0.1:1"
#: The address a live server listens on, and its connections name.
LIVE_ADDRESS = "127.0.0.1"
HEX = "0123456789abcdef"
MACHINE_ID_LENGTH = 40
DIRECT_HASH_LENGTH = 32
#: A connection's URL: http(s), a host name or IPv4 address, a port or none, and no path.
#: One rule for Python, the control API and the OpenAPI document (JSON Schema).
PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
CONNECTION_URL = rf"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::{PORT})?/?$"
FIRST_SERVER_ID = 1001
FIRST_SHARE_ID = 2001


class ServerError(MockplexError):
    """Base class of the server and share errors."""


class ServerExists(ServerError):
    """A server with that name, or that machine identifier, exists already."""


class ServerNotFound(ServerError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no server is named {name!r}")
        self.name = name


class CannotServe(ServerError):
    """A live server was added, but no socket could be opened for it (the process is out
    of file descriptors, say): it is not kept."""


class ShareExists(ServerError):
    """That server is shared with that account already."""


@dataclass(frozen=True)
class Connection:
    """One way to reach a server, as plex.tv lists it."""

    uri: str
    protocol: str
    address: str
    port: int
    local: bool = True
    relay: bool = False

    @classmethod
    def to(cls, uri: str, *, local: bool = True, relay: bool = False) -> Connection:
        """A connection to ``uri``: ``http://host:port`` or ``https://...``."""
        check_text(uri=uri)
        if not re.fullmatch(CONNECTION_URL, uri):
            raise ValueError(f"a connection is an http:// or https:// URL with a host name "
                             f"or IPv4 address, a port or none, and no path; got {uri!r}")
        parts = urlsplit(uri)
        default_port = 443 if parts.scheme == "https" else 80
        return cls(uri=uri.rstrip("/"), protocol=parts.scheme, address=str(parts.hostname),
                   port=parts.port or default_port, local=local, relay=relay)


@dataclass(frozen=True)
class Server:
    """A Plex Media Server that ``owner`` (a username) has."""

    id: int
    name: str
    owner: str
    machine_identifier: str
    access_token: str
    #: None: live, answered by mockplex (:meth:`Servers.connections_of` lists how).
    connections: tuple[Connection, ...] | None
    created_at: float
    libraries: tuple[Library, ...] = ()
    #: The hash of its plex.direct names (``127-0-0-1.<hash>.plex.direct``).
    direct_hash: str = ""
    product_version: str = "1.41.3.9314-a0bfb8370"
    platform: str = "Linux"
    platform_version: str = "6.1.0"
    device: str = "PC"
    public_address: str = "127.0.0.1"
    https_required: bool = False
    presence: bool = True

    @property
    def live(self) -> bool:
        """Does mockplex answer this server (it was given no connections of its own)?"""
        return self.connections is None


@dataclass(frozen=True)
class Share:
    """Server ``server`` (a name) shared with account ``user`` (a username); the friend
    reaches the server with ``access_token``, and sees the libraries whose keys are in
    ``sections`` (none: all of them)."""

    id: int
    server: str
    user: str
    access_token: str
    sections: tuple[int, ...] = ()
    #: When it was shared (an invite's acceptance, or the set-up).
    created_at: float = 0.0

    def opens(self, library_key: int) -> bool:
        """May the friend see the library ``library_key``?"""
        return not self.sections or library_key in self.sections


#: What a test may give for a server besides its name and owner.
SERVER_FIELDS = ("machine_identifier", "access_token", "connections", "libraries",
                 "product_version",
                 "platform", "platform_version", "device", "public_address",
                 "https_required", "presence")

FLAGS = ("https_required", "presence")

ConnectionSpec = str | Mapping[str, object] | Connection


def sections_of(server: Server, keys: Iterable[int]) -> tuple[int, ...]:
    """``keys`` as a share's or an invite's sections: keys of ``server``'s libraries
    (ValueError for anything else), each once, in the server's order; every library
    named is all of them, ``()``, as naming none is."""
    given = list(keys)
    if not all(isinstance(key, int) and not isinstance(key, bool) for key in given):
        raise ValueError(f"sections are library keys (whole numbers), got {given[:8]!r}")
    known = [library.key for library in server.libraries]
    unknown = [key for key in given if key not in known]
    if unknown:
        raise ValueError(f"the server {server.name!r} has no library with the key "
                         f"{shown(unknown[0])}")
    chosen = tuple(key for key in known if key in given)
    return () if len(chosen) == len(known) else chosen


def connection_of(spec: ConnectionSpec) -> Connection:
    """A connection from a URL, or a mapping with ``uri`` and optional ``local``, ``relay``."""
    if isinstance(spec, Connection):
        return spec
    if isinstance(spec, str):
        return Connection.to(spec)
    unknown = set(spec) - {"uri", "local", "relay"}
    if unknown or not isinstance(spec.get("uri"), str):
        raise ValueError("a connection is a URL, or {\"uri\": URL, \"local\": bool, "
                         f"\"relay\": bool}}, got {dict(spec)!r}")
    flags = {key: spec[key] for key in ("local", "relay") if key in spec}
    if any(not isinstance(value, bool) for value in flags.values()):
        raise ValueError(f"local and relay are true or false, got {flags!r}")
    return Connection.to(str(spec["uri"]), **flags)  # type: ignore[arg-type]


class Servers:
    """The servers and shares of one mock plex.tv."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._by_name: dict[str, Server] = {}
        self._shares: list[Share] = []
        self._server_ids = itertools.count(FIRST_SERVER_ID)
        self._share_ids = itertools.count(FIRST_SHARE_ID)
        self._ports: dict[str, int] = {}  # a live server's port, by machine identifier

    def add(self, name: str, owner: str, now: float, *,
            connections: Iterable[ConnectionSpec] | None = None,
            libraries: Iterable[Mapping[str, object]] | None = None,
            machine_identifier: str | None = None, access_token: str | None = None,
            **fields: object) -> Server:
        """A new server of ``owner``; what is not given is made up. With no
        ``connections`` it is live (at most :data:`LIVE_SERVERS_MAX` at once);
        ``libraries`` are :func:`mockplex.domain.libraries.libraries_of`'s specs."""
        if not name:
            raise ValueError("a server needs a non-empty name")
        unknown = set(fields) - set(SERVER_FIELDS)
        if unknown:
            raise ValueError(f"a server has no field {sorted(unknown)[0]!r}; it has "
                             f"{', '.join(SERVER_FIELDS)}")
        for key, value in fields.items():
            wanted = bool if key in FLAGS else str
            if not isinstance(value, wanted):
                raise ValueError(f"{key} is {'true or false' if wanted is bool else 'a string'}"
                                 f", got {value!r}")
        check_text(name=name, **{key: value for key, value in fields.items()
                                 if isinstance(value, str)})
        if name in self._by_name:
            raise ServerExists(f"a server named {name!r} exists already")
        if machine_identifier is not None and any(
                s.machine_identifier == machine_identifier for s in self._by_name.values()):
            raise ServerExists(f"a server with the machine identifier {machine_identifier!r} "
                               "exists already")
        for key, value in (("machine_identifier", machine_identifier),
                           ("access_token", access_token)):
            if value is not None and not (isinstance(value, str) and value):
                raise ValueError(f"{key} is a non-empty string, got {value!r}")
        check_text(machine_identifier=machine_identifier, access_token=access_token)
        links: tuple[Connection, ...] | None = None
        if connections is not None:
            if isinstance(connections, (str, Mapping)):
                raise ValueError(f"connections are a list, got {connections!r}")
            specs = list(connections)
            if len(specs) > CONNECTIONS_MAX:
                raise ValueError(f"a server has at most {CONNECTIONS_MAX} connections, got "
                                 f"{len(specs)}")
            links = tuple(connection_of(spec) for spec in specs)
        elif len(self.live()) >= LIVE_SERVERS_MAX:
            raise ValueError(f"mockplex answers at most {LIVE_SERVERS_MAX} servers at once "
                             "(LIVE_SERVERS_MAX); give this one connections of its own, or "
                             "reset")
        shelves = libraries_of(libraries, self._rng, now)
        server = Server(
            id=next(self._server_ids), name=name, owner=owner,
            machine_identifier=machine_identifier or unique(
                lambda: random_string(self._rng, HEX, MACHINE_ID_LENGTH),
                {s.machine_identifier for s in self._by_name.values()}),
            access_token=access_token or self.new_token(),
            connections=links, created_at=now, libraries=shelves,
            direct_hash=unique(lambda: random_string(self._rng, HEX, DIRECT_HASH_LENGTH),
                               {s.direct_hash for s in self._by_name.values()}),
            **fields)  # type: ignore[arg-type]
        self._by_name[name] = server
        return server

    def remove(self, name: str) -> None:
        """Forget server ``name`` (one that could not be served: no share names it yet)."""
        self._by_name.pop(name, None)

    def live(self) -> list[Server]:
        """The servers mockplex answers itself."""
        return [server for server in self._by_name.values() if server.live]

    def by_machine_identifier(self, machine_identifier: str) -> Server | None:
        return next((server for server in self._by_name.values()
                     if server.machine_identifier == machine_identifier), None)

    def by_direct_hash(self, direct_hash: str) -> Server | None:
        """The live server whose plex.direct names carry ``direct_hash``."""
        return next((server for server in self._by_name.values()
                     if server.live and server.direct_hash == direct_hash), None)

    def listen(self, machine_identifier: str, port: int | None) -> None:
        """Live server ``machine_identifier`` listens on ``port`` (None: no longer)."""
        if port is None:
            self._ports.pop(machine_identifier, None)
        else:
            self._ports[machine_identifier] = port

    def port_of(self, server: Server) -> int | None:
        """The port a live server listens on, None until it does (or if not live)."""
        return self._ports.get(server.machine_identifier) if server.live else None

    def connections_of(self, server: Server) -> tuple[Connection, ...]:
        """How plex.tv lists the ways to ``server``: those it was given; for a live one,
        once it listens on a port, its plex.direct name (https) and that address over
        plain http, as local connections, then both again as the remote ones (not
        local) a client may try alone for a server shared with it, as plex.tv lists an
        http connection beside each https one (a client that leaves out
        ``includeHttps=1`` gets the http ones only); none before it listens."""
        if server.connections is not None:
            return server.connections
        port = self.port_of(server)
        if port is None:
            return ()
        direct = f"https://{direct_host(LIVE_ADDRESS, server.direct_hash)}:{port}"
        ways = (("https", direct), ("http", f"http://{LIVE_ADDRESS}:{port}"))
        return tuple(Connection(uri, protocol, LIVE_ADDRESS, port, local=local)
                     for local in (True, False) for protocol, uri in ways)

    def get(self, name: str) -> Server:
        try:
            return self._by_name[name]
        except KeyError:
            raise ServerNotFound(name) from None

    def all(self) -> list[Server]:
        return list(self._by_name.values())

    def share(self, name: str, username: str, now: float = 0.0,
              sections: Iterable[int] = ()) -> Share:
        """Share server ``name`` with account ``username`` (not its owner): all its
        libraries, or those whose keys are in ``sections``."""
        server = self.get(name)
        if server.owner == username:
            raise ValueError(f"{username!r} owns the server {name!r}: share it with another "
                             "account")
        if self.share_of(name, username) is not None:
            raise ShareExists(f"the server {name!r} is shared with {username!r} already")
        share = Share(id=next(self._share_ids), server=name, user=username,
                      access_token=self.new_token(), sections=sections_of(server, sections),
                      created_at=now)
        self._shares.append(share)
        return share

    def shares(self) -> list[Share]:
        return list(self._shares)

    def share_of(self, name: str, username: str) -> Share | None:
        """The share of server ``name`` with ``username``, if there is one."""
        return next((share for share in self._shares
                     if share.server == name and share.user == username), None)

    def unshare(self, owner: str, username: str) -> list[Share]:
        """End every share between ``owner`` and ``username``, either way: they are
        friends no longer. The shares ended, none if there were none."""
        def between(share: Share) -> bool:
            server_owner = self._by_name[share.server].owner
            return {server_owner, share.user} == {owner, username}
        return self._end_shares(between)

    def forget_user(self, username: str) -> list[Share]:
        """End every share with ``username`` (an account that is gone). The shares
        ended."""
        return self._end_shares(lambda share: share.user == username)

    def _end_shares(self, ending: Callable[[Share], bool]) -> list[Share]:
        ended = [share for share in self._shares if ending(share)]
        self._shares = [share for share in self._shares if not ending(share)]
        return ended

    def visible_to(self, username: str) -> list[tuple[Server, Share | None]]:
        """The servers ``username`` owns (with no share), then those shared with it."""
        owned: list[tuple[Server, Share | None]] = [
            (server, None) for server in self._by_name.values() if server.owner == username]
        shared: list[tuple[Server, Share | None]] = [
            (self._by_name[share.server], share) for share in self._shares
            if share.user == username]
        return owned + shared

    def friends_of(self, username: str) -> dict[str, list[tuple[Server, Share]]]:
        """Each account ``username`` shares a server with, either way, and the shares
        between them, by the friend's username."""
        friends: dict[str, list[tuple[Server, Share]]] = {}
        for share in self._shares:
            server = self._by_name[share.server]
            if server.owner == username:
                friends.setdefault(share.user, []).append((server, share))
            elif share.user == username:
                friends.setdefault(server.owner, []).append((server, share))
        return friends

    def new_token(self) -> str:
        taken = {s.access_token for s in self._by_name.values()}
        taken.update(share.access_token for share in self._shares)
        return unique(lambda: random_string(self._rng, TOKEN_ALPHABET, TOKEN_LENGTH), taken)
