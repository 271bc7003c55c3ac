"""Where things live: the plex.tv hosts, the default address and the control API's
prefix (no Flask and no other import here: the domain modules and the pytest plugin
use it too; the WSGI environ keys the app sets are :mod:`mockplex.web.environ`'s)."""

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
