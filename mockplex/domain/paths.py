"""Where things live: the default address and the control API's prefix (no Flask and no
other import here: the domain modules and the pytest plugin use it too; which hosts are
plex.tv's is :mod:`mockplex.domain.hosts`'s, the WSGI environ keys the app sets
:mod:`mockplex.web.environ`'s)."""

from __future__ import annotations

import ipaddress

#: Where ``mockplex serve`` and the plugin's server listen by default.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 32500

CONTROL_PREFIX = "/_mockplex"
#: mockplex's own OpenAPI document, which describes every route (the control API's too).
OPENAPI_PATH = f"{CONTROL_PREFIX}/openapi.json"


def is_control_path(path: str) -> bool:
    """Is ``path`` the control API's (``/_mockplex`` or below it)?"""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


#: The addresses that bind every interface: none names a host to reach.
WILDCARDS = ("", "0.0.0.0", "::")


def reachable(host: str) -> str:
    """The address a client on this machine reaches a server bound to ``host`` at: a
    wildcard (``0.0.0.0``, ``::``, none) names no address to connect to, so its loopback
    stands for it (the Host rule answers that, and refuses a wildcard)."""
    if host in WILDCARDS:
        return "::1" if host == "::" else "127.0.0.1"
    return host


def is_loopback(host: str) -> bool:
    """Is ``host`` this machine only (``localhost``, 127.0.0.0/8, ``::1``)?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
