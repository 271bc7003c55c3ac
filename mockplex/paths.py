"""Where things live: the plex.tv hosts, the default address and the control API's
prefix (no Flask and no other import here: the domain modules and the pytest plugin
use it too)."""

from __future__ import annotations

import ipaddress

#: The plex.tv hosts whose API mockplex answers.
PLEX_HOSTS = ("plex.tv", "www.plex.tv", "clients.plex.tv")

#: The hosts the proxy and the TLS listener answer as plex.tv: its API's, and
#: app.plex.tv, whose ``/auth`` is the approval page.
PROXY_HOSTS = (*PLEX_HOSTS, "app.plex.tv")

#: Where ``mockplex serve`` and the plugin's server listen by default.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 32500

CONTROL_PREFIX = "/_mockplex"

#: WSGI environ keys mockplex sets itself (no header becomes one: headers are HTTP_*).
INTERCEPTED = "mockplex.intercepted"  # True: interception or the proxy sent the request
REFUSED = "mockplex.refused"  # why a relayed request in absolute form is refused (its URL)
FOREIGN_HOST = "mockplex.foreign_host"  # True: refused for its Host before any route
COOKIE_SET = "mockplex.cookie_set"  # True: the answer sets the control token's cookie
UNEMULATED = "mockplex.unemulated"  # True: answered "emulates no route", whatever matched


def is_control_path(path: str) -> bool:
    """Is ``path`` the control API's (``/_mockplex`` or below it)?"""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def is_loopback(host: str) -> bool:
    """Is ``host`` this machine only (``localhost``, 127.0.0.0/8, ``::1``)?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
