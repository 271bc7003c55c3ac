"""Which hosts are plex.tv's, and what mockplex does with a request for each: the one
decision, :func:`decide`, that every way a request reaches the mock asks.

A request for ``scheme://host:port`` is

- **answered** as plex.tv when ``host`` is one of plex.tv's (and, unless the way in says
  any port will do, ``port`` is the scheme's own: 443 for https, 80 for http);
- **passed through** unchanged when it is one of the hosts the user let through
  (``mockplex serve --proxy-passthrough``), or, for in-process interception, any
  other host (left to the client and to the user's own mocks);
- **refused** otherwise, with the reason the client is told (403, in plex.tv's shape).

A Plex Media Server's own https name, ``<address>.<hash>.plex.direct`` (any name below
:data:`PLEX_DIRECT`), is decided apart from plex.tv's: **answered**, on any port and by
the server itself, when ``hash`` is a live server's (the way in says which are:
``servers``), and the decision names the hash (:attr:`Decision.direct_hash`); passed
through only when the user named that very host (``--proxy-passthrough``); otherwise
**refused**, never looked up, so a client trying every connection plex.tv lists sends
no DNS query off the machine, under interception too.

The ways in, and how each asks:

- the proxy's ``CONNECT host:port`` (:mod:`mockplex.proxy.listeners`): ``decide("https",
  host, port, passthrough, tunnel=True, servers=...)``;
- the proxy's request in absolute form (``GET http://plex.tv/...``), and each later
  request on a connection it relayed to the app (:class:`mockplex.app.InterceptedRequests`):
  :func:`decide_url`;
- each request in absolute form on a connection it relayed to a live fake server's
  socket (:class:`mockplex.app.InterceptedServerRequests`): :func:`decide_on_server`,
  which answers that server's own plex.direct names and refuses every other host,
  plex.tv's included;
- in-process interception (:mod:`mockplex.interception.stack`): its own hosts and every
  host below them, on any port, the plex.direct names of its live servers, every other
  host passed through;
- the approval pages' :func:`mockplex.plextv.pages.auth_url`: is a URL one of plex.tv's
  approval pages (:data:`APPROVAL_HOSTS`)?

No import here but the standard library (the domain's rule: no web framework).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

#: The domain every plex.tv host is below (mockplex's CA may vouch for it, and for
#: :data:`PLEX_DIRECT`).
PLEX_DOMAIN = "plex.tv"

#: The plex.tv hosts whose API mockplex answers; interception answers them, and every
#: host below them, by default.
PLEX_HOSTS = ("plex.tv", "www.plex.tv", "clients.plex.tv")

#: The hosts of plex.tv's approval pages a person opens: ``https://app.plex.tv/auth``
#: and ``https://plex.tv/link`` (:func:`mockplex.plextv.pages.auth_url` moves their URLs
#: onto the mock).
APPROVAL_HOSTS = ("app.plex.tv", "plex.tv", "www.plex.tv")

#: The hosts the proxy and the TLS listener answer as plex.tv, each with a certificate:
#: its API's, and app.plex.tv, whose ``/auth`` is the approval page. The first is the
#: TLS listener's certificate for a client that names no host.
PROXY_HOSTS = (*PLEX_HOSTS, "app.plex.tv")

#: The domain of a Plex Media Server's own https names, ``127-0-0-1.<hash>.plex.direct``:
#: the address with dashes, then the server's hash (:func:`direct_host`). mockplex answers
#: such a name as the server whose hash it carries (the proxy, the TLS listener and
#: interception), on any port, and its CA may vouch for it.
PLEX_DIRECT = "plex.direct"
#: A plex.direct hash: 32 lower-case hex digits, as plex.tv gives each server.
DIRECT_HASH = re.compile(r"[0-9a-f]{32}")

#: The one port the mock answers plex.tv's hosts on, by scheme.
PLEX_PORTS = {"https": 443, "http": 80}


class Action(enum.Enum):
    ANSWER = "answer"  # as plex.tv, by the mock
    PASS = "pass through"  # unchanged, to the host itself
    REFUSE = "refuse"  # with the reason


@dataclass(frozen=True)
class Decision:
    """What to do with a request, and, for a refusal, what the client is told: the
    message, and its status (403; 400 for a URL whose port is no port)."""

    action: Action
    reason: str = ""
    status: int = 403
    #: A plex.direct name answered: the hash of the live server that answers it.
    direct_hash: str | None = None

    @property
    def answered(self) -> bool:
        return self.action is Action.ANSWER

    @property
    def passes(self) -> bool:
        return self.action is Action.PASS

    @property
    def refused(self) -> bool:
        return self.action is Action.REFUSE


ANSWER = Decision(Action.ANSWER)
PASS = Decision(Action.PASS)


class _EveryHost(Collection[str]):
    """The passthrough of in-process interception: every host it does not answer."""

    def __contains__(self, host: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:  # none to list
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "EVERY_HOST"


#: ``passthrough`` for a way in that leaves every host it does not answer alone.
EVERY_HOST: Collection[str] = _EveryHost()


def normal(host: str) -> str:
    """A host name as the rules compare it: lower case, no trailing dot."""
    return host.rstrip(".").lower()


def is_plex_host(host: str, hosts: Collection[str] = PROXY_HOSTS, *,
                 below: bool = False) -> bool:
    """Is ``host`` one of ``hosts`` (or, with ``below``, a host below one:
    ``metadata.provider.plex.tv`` is below ``plex.tv``, ``plex.tv.example.com`` is not)?"""
    host = normal(host)
    if host in hosts:
        return True
    return below and any(host.endswith("." + mine) for mine in hosts)


def direct_host(address: str, direct_hash: str) -> str:
    """A server's plex.direct name for an IPv4 ``address``:
    ``127-0-0-1.<hash>.plex.direct``."""
    return f"{address.replace('.', '-')}.{direct_hash}.{PLEX_DIRECT}"


def direct_wildcard(direct_hash: str) -> str:
    """The name a server's certificate carries, good for each of its plex.direct names
    (one per address): ``*.<hash>.plex.direct``."""
    return f"*.{direct_hash}.{PLEX_DIRECT}"


def direct_hash_of(host: str) -> str | None:
    """The server hash a plex.direct name carries (``<address>.<hash>.plex.direct``,
    any case, a port or none), or None for any other name."""
    labels = normal(host.rpartition(":")[0] if host.count(":") == 1 else host).split(".")
    if len(labels) == 4 and labels[2:] == PLEX_DIRECT.split(".") and DIRECT_HASH.fullmatch(
            labels[1]):
        return labels[1]
    return None


def is_direct_host(host: str) -> bool:
    """Is ``host`` below plex.direct (a Plex Media Server's own name, or one like it)?"""
    return is_plex_host(host, (PLEX_DIRECT,), below=True)


def direct_refusal(host: str) -> str:
    """Why a plex.direct name is not answered: no live server has its hash."""
    return (f"no server of this mockplex is named {host[:255]!r}, so it was refused "
            f"without looking it up: a live server's plex.direct name is "
            f"<address>.<its hash>.{PLEX_DIRECT}, as plex.tv's resources list it")


def refusal(host: str) -> str:
    """Why the proxy does not answer for ``host``, and how to let it through."""
    return (f"mockplex's proxy answers only plex.tv's hosts ({', '.join(PROXY_HOSTS)}), "
            f"so it refused {host[:255]!r} without looking it up; to let a host through "
            f"unchanged, start the server with --proxy-passthrough {host[:255]}")


def decide(scheme: str, host: str, port: int | None = None,
           passthrough: Collection[str] = (), *, hosts: Collection[str] = PROXY_HOSTS,
           below: bool = False, any_port: bool = False, tunnel: bool = False,
           servers: Callable[[str], bool] | None = None) -> Decision:
    """What mockplex does with a request for ``scheme://host:port``.

    ``port`` None is the scheme's own. ``hosts`` are the ones answered as plex.tv (with
    ``below``, every host below one too; with ``any_port``, on any port; none: a way in
    that answers plex.direct names only); ``passthrough`` the ones passed through
    unchanged (:data:`EVERY_HOST`: any other). A passthrough host passes as a
    ``tunnel`` (``CONNECT``, any port) or over plain http: the proxy has no way to relay
    an https URL it would have to open itself. ``servers(hash)`` says whether a
    plex.direct hash is a live server's (None: none is); see the module's docstring for
    those names. plex.tv's hosts are asked first, the common case: a host below
    plex.direct is none of them unless ``hosts`` names plex.direct itself.
    """
    host = normal(host)
    own_port = PLEX_PORTS.get(scheme)
    if own_port is not None:
        if is_plex_host(host, hosts, below=below):
            if any_port or port is None or port == own_port:
                return ANSWER
            return Decision(Action.REFUSE, f"mockplex answers {host} on port {own_port} "
                                           f"({scheme}) only, not {port}")
        if is_direct_host(host):
            return _decide_direct(scheme, host, passthrough, tunnel, servers)
    if passthrough is EVERY_HOST or (host in passthrough and (tunnel or scheme == "http")):
        return PASS
    return Decision(Action.REFUSE, refusal(host))


def _decide_direct(scheme: str, host: str, passthrough: Collection[str], tunnel: bool,
                   servers: Callable[[str], bool] | None) -> Decision:
    """:func:`decide` for a name below plex.direct: answered (any port) for a live
    server's hash, passed through if named itself, else refused."""
    found = direct_hash_of(host)
    if found is not None and servers is not None and servers(found):
        return Decision(Action.ANSWER, direct_hash=found)
    if passthrough is not EVERY_HOST and host in passthrough and (tunnel or scheme == "http"):
        return PASS
    return Decision(Action.REFUSE, direct_refusal(host))


def decide_url(url: str, passthrough: Collection[str] = (), *,
               hosts: Collection[str] = PROXY_HOSTS,
               servers: Callable[[str], bool] | None = None) -> Decision:
    """:func:`decide` for a request target in absolute form (``https://plex.tv/...``),
    as the proxy answers plex.tv's hosts (``hosts``) and, with ``servers``, the live
    servers' plex.direct names. A host refused is refused whatever its port; one
    answered or passed through whose port is no port gets 400, as does what is no URL
    at all (``http://[::1/``)."""
    try:
        parts = urlsplit(url)  # (its scheme and host come out lower-cased)
    except ValueError:
        return Decision(Action.REFUSE, f"not a URL: {url[:80]!r}", status=400)
    scheme, host = parts.scheme, normal(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:
        decision = decide(scheme, host, None, passthrough, hosts=hosts, servers=servers)
        if decision.refused:
            return decision
        return Decision(Action.REFUSE, f"not a port: {url[:80]!r}", status=400)
    return decide(scheme, host, port, passthrough, hosts=hosts, servers=servers)


def decide_on_server(url: str, direct_hash: str | None) -> Decision:
    """:func:`decide_url` for a request in absolute form on a connection the proxy
    relayed to one live fake server's own socket: answered for that server's own
    plex.direct names only (``direct_hash``; any port); every other host refused,
    plex.tv's and another server's included (a client reaches each of those on a
    connection of its own), and every name once the server is gone (``direct_hash``
    None)."""
    decision = decide_url(url, hosts=(), servers=lambda found: found == direct_hash)
    if decision.refused and decision.status == 403:
        host = normal(urlsplit(url).hostname or "")  # (a URL: decide_url parsed it)
        return Decision(Action.REFUSE, server_refusal(host, direct_hash))
    return decision


def decide_on_plex_tv(url: str) -> Decision:
    """:func:`decide_url` for a request in absolute form on a connection the proxy
    relayed to plex.tv's side (the mock's own server): plex.tv's hosts answered, a
    passthrough host refused (a relayed connection passes nothing through), and a
    plex.direct name refused for what it is: its server listens on a socket of its own,
    which the proxy relays a connection of its own to."""
    decision = decide_url(url)
    if decision.refused and decision.status == 403:
        host = normal(urlsplit(url).hostname or "")  # (a URL: decide_url parsed it)
        if is_direct_host(host):
            return Decision(Action.REFUSE, f"this connection reaches plex.tv's side, so it "
                                           f"refused {host[:255]!r} without looking it up; "
                                           "a client reaches a fake server's plex.direct "
                                           "name on a connection of its own")
    return decision


def server_refusal(host: str, direct_hash: str | None) -> str:
    """Why a host is not answered on a connection to a fake server's socket."""
    own = (f"its own plex.direct names only (<address>.{direct_hash}.{PLEX_DIRECT})"
           if direct_hash else "no name: the server it reached is gone")
    return (f"this connection reaches one fake server, which answers {own}, so it refused "
            f"{host[:255]!r} without looking it up; a client reaches any other host on a "
            f"connection of its own")
