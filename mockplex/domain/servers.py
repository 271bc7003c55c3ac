"""Fake Plex Media Servers, who owns them and who they are shared with, with no web
framework in it.

A server belongs to an account; sharing it with another account makes the two
friends. What a test does not give is made up, but a server's connections default
to a loopback address that refuses at once (:data:`REFUSING`): an app that goes on
to call the server fails fast, never hangs and never leaves the machine. A test
that wants the call to succeed gives the URL of a fake media server of its own.

:class:`Servers` is not locked itself: the :class:`~mockplex.domain.store.Store` that owns
it calls it with the store's lock held.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from mockplex.domain.accounts import TOKEN_ALPHABET, TOKEN_LENGTH
from mockplex.domain.errors import MockplexError
from mockplex.domain.ids import random_string, unique
from mockplex.domain.limits import CONNECTIONS_MAX, check_text

#: Where a server's connection points unless a test says otherwise: port 1 on the
#: loopback interface, which nothing listens on, so connecting is refused at once.
REFUSING = "http://127.0.0.1:1"
HEX = "0123456789abcdef"
MACHINE_ID_LENGTH = 40
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
    connections: tuple[Connection, ...]
    created_at: float
    product_version: str = "1.41.3.9314-a0bfb8370"
    platform: str = "Linux"
    platform_version: str = "6.1.0"
    device: str = "PC"
    public_address: str = "127.0.0.1"
    https_required: bool = False
    presence: bool = True


@dataclass(frozen=True)
class Share:
    """Server ``server`` (a name) shared with account ``user`` (a username); the friend
    reaches the server with ``access_token``."""

    id: int
    server: str
    user: str
    access_token: str


#: What a test may give for a server besides its name and owner.
SERVER_FIELDS = ("machine_identifier", "access_token", "connections", "product_version",
                 "platform", "platform_version", "device", "public_address",
                 "https_required", "presence")

FLAGS = ("https_required", "presence")

ConnectionSpec = str | Mapping[str, object] | Connection


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

    def add(self, name: str, owner: str, now: float, *,
            connections: Iterable[ConnectionSpec] | None = None,
            machine_identifier: str | None = None, access_token: str | None = None,
            **fields: object) -> Server:
        """A new server of ``owner``; what is not given is made up."""
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
        specs = list(connections) if connections is not None else [REFUSING]
        if len(specs) > CONNECTIONS_MAX:
            raise ValueError(f"a server has at most {CONNECTIONS_MAX} connections, got "
                             f"{len(specs)}")
        links = tuple(connection_of(spec) for spec in specs)
        server = Server(
            id=next(self._server_ids), name=name, owner=owner,
            machine_identifier=machine_identifier or unique(
                lambda: random_string(self._rng, HEX, MACHINE_ID_LENGTH),
                {s.machine_identifier for s in self._by_name.values()}),
            access_token=access_token or self.new_token(),
            connections=links, created_at=now, **fields)  # type: ignore[arg-type]
        self._by_name[name] = server
        return server

    def get(self, name: str) -> Server:
        try:
            return self._by_name[name]
        except KeyError:
            raise ServerNotFound(name) from None

    def all(self) -> list[Server]:
        return list(self._by_name.values())

    def share(self, name: str, username: str) -> Share:
        """Share server ``name`` with account ``username`` (not its owner)."""
        server = self.get(name)
        if server.owner == username:
            raise ValueError(f"{username!r} owns the server {name!r}: share it with another "
                             "account")
        if any(s.server == name and s.user == username for s in self._shares):
            raise ShareExists(f"the server {name!r} is shared with {username!r} already")
        share = Share(id=next(self._share_ids), server=name, user=username,
                      access_token=self.new_token())
        self._shares.append(share)
        return share

    def shares(self) -> list[Share]:
        return list(self._shares)

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
