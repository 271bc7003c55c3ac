"""Invites to a server, pending until the invited account accepts them (then each is a
share: :meth:`mockplex.domain.servers.Servers.share`) or the owner cancels them, with
no web framework in it.

An owner invites an existing account (not itself, nor another home's managed user: the
store checks) to one of its servers, once per server while the invite is pending; the
pending invites are capped (:data:`~mockplex.domain.limits.INVITES_MAX`).
:class:`Invites` is not locked itself: the :class:`~mockplex.domain.store.Store` that
owns it calls it with the store's lock held.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from mockplex.domain.limits import INVITES_MAX
from mockplex.domain.servers import Server, ServerError

FIRST_INVITE_ID = 3001


class InviteError(ServerError):
    """Base class of the invite errors."""


class InviteExists(InviteError):
    """That account is invited to that server already (or it is shared with it)."""


class InviteNotFound(InviteError):
    """No pending invite matches."""


class CannotInvite(InviteError, ValueError):
    """An invite (or a share) that cannot be: of the server's owner, or of a managed
    user of another home (:meth:`mockplex.domain.store.Store.invite` checks). A bad
    value, as sharing a server with its owner always was."""


class TooManyInvites(InviteError):
    """The pending invites are at their cap (:data:`INVITES_MAX`)."""


@dataclass(frozen=True)
class Invite:
    """Account ``owner`` invites account ``user`` (usernames) to its server ``server``
    (a name), with those of its libraries' keys in ``sections`` (none: all)."""

    id: int
    server: str
    owner: str
    user: str
    created_at: float
    sections: tuple[int, ...] = ()


class Invites:
    """The pending invites of one mock plex.tv, oldest first."""

    def __init__(self) -> None:
        self._pending: list[Invite] = []
        self._ids = itertools.count(FIRST_INVITE_ID)

    def add(self, server: Server, user: str, now: float,
            sections: tuple[int, ...] = ()) -> Invite:
        """A new pending invite of ``user`` to ``server``."""
        if any(i.server == server.name and i.user == user for i in self._pending):
            raise InviteExists(f"{user!r} is invited to the server {server.name!r} already")
        if len(self._pending) >= INVITES_MAX:
            raise TooManyInvites(f"mockplex holds {len(self._pending)} pending invites, its "
                                 "cap (INVITES_MAX); accept or cancel some, or reset")
        invite = Invite(id=next(self._ids), server=server.name, owner=server.owner,
                        user=user, created_at=now, sections=sections)
        self._pending.append(invite)
        return invite

    def all(self) -> list[Invite]:
        return list(self._pending)

    def to(self, user: str) -> list[Invite]:
        """The invites ``user`` has received."""
        return [i for i in self._pending if i.user == user]

    def by(self, owner: str) -> list[Invite]:
        """The invites ``owner`` has sent."""
        return [i for i in self._pending if i.owner == owner]

    def take(self, owner: str, user: str) -> list[Invite]:
        """Remove and return every invite ``owner`` sent ``user`` (InviteNotFound if none)."""
        taken = [i for i in self._pending if i.owner == owner and i.user == user]
        if not taken:
            raise InviteNotFound(f"{owner!r} has no pending invite for {user!r}")
        self._pending = [i for i in self._pending if i not in taken]
        return taken

    def between(self, one: str, other: str) -> list[Invite]:
        """Remove and return the invites pending between ``one`` and ``other``, either
        way (none if there are none)."""
        ended = [i for i in self._pending if {i.owner, i.user} == {one, other}]
        self._pending = [i for i in self._pending if i not in ended]
        return ended

    def drop(self, server: str, user: str) -> None:
        """Forget the invite of ``user`` to ``server``, if pending (it is shared now)."""
        self._pending = [i for i in self._pending if (i.server, i.user) != (server, user)]
