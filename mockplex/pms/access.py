"""Which fake server a request is for, and whether its token opens it, as a Plex Media
Server checks it.

The server is the one whose machine identifier the way in put in the environ
(:data:`~mockplex.web.environ.MEDIA_SERVER`); a request naming no live server is not
found. The token comes in the ``X-Plex-Token`` header or, failing that, the query, its
name in any case, read as plex.tv's side reads it (:mod:`mockplex.domain.xplex`); it
opens the server when the store says whose it is
(:meth:`~mockplex.domain.store.Store.server_access`: the owner's account token or the
server's access token, a share's access token or the friend's own account token).
Anything else, a revoked token too, is 401. Some routes are the owner's alone, and a
friend's token is 403 there, as on a real server: ``/library``, ``/accounts``,
``/:/prefs``, ``/status/sessions``. A friend sees the libraries its share names
(:attr:`Access.libraries`).
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Request
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from mockplex.domain import xplex
from mockplex.domain.accounts import Account
from mockplex.domain.libraries import Library
from mockplex.domain.servers import Server
from mockplex.web.context import current_request, media_server, store

#: The token's name, as :func:`mockplex.domain.xplex.merged` keys it.
TOKEN = "x-plex-token"


class Access(NamedTuple):
    """A request let in: the server it is for, and the account its token opens it as."""

    server: Server
    account: Account

    @property
    def owner(self) -> bool:
        return self.account.username == self.server.owner

    @property
    def libraries(self) -> tuple[Library, ...]:
        """The libraries the token opens: all of them to the owner, a share's to a
        friend (those whose keys the share names, or all when it names none)."""
        if self.owner:
            return self.server.libraries
        share = store().share_of(self.server, self.account.username)
        return tuple(shelf for shelf in self.server.libraries
                     if share is not None and share.opens(shelf.key))


def requested_server(served: Request | None = None) -> Server:
    """The live server the request is for; 404 when it names none."""
    if served is None:
        served = current_request()
    server = media_server(store(), served.environ)
    if server is None or not server.live:
        raise NotFound()
    return server


def token_of(served: Request) -> str | None:
    """The request's ``X-Plex-Token``, read as plex.tv's side reads it
    (:func:`mockplex.domain.xplex.merged`; its name in any case): the header's, else
    the query's; None when neither has one."""
    return xplex.merged((), served.args.items(), served.environ).get(TOKEN) or None


def let_in(*, owner_only: bool = False) -> Access:
    """The server the request is for and the account its token opens it as; 401 when
    the token opens it to no one, and, ``owner_only``, 403 when it opens it to a friend."""
    served = current_request()
    server = requested_server(served)
    account = store().server_access(server, token_of(served))
    if account is None:
        raise Unauthorized()
    access = Access(server, account)
    if owner_only and not access.owner:
        raise Forbidden()
    return access
