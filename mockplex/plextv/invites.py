"""Invites once sent, as python-plexapi calls them: the invited account lists what it has
received (``GET /api/invites/requests``) and accepts (``PUT /api/invites/requests/<ownerId>``:
``acceptInvite``), the owner lists what it has sent (``GET /api/invites/requested``) and
cancels (``DELETE /api/invites/requested/<userId>``: ``cancelInvite``), and either ends
the sharing (``DELETE /api/v2/sharings/<userId>``: ``removeFriend``). Sending one is
:mod:`mockplex.plextv.sharing`'s.

These are plex.tv's older routes: XML only. An accepted invite is a share
(:meth:`mockplex.domain.store.Store.accept_invites`), listed by the resources routes;
the store's refusals are answered by :mod:`mockplex.web.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response

from mockplex.domain.accounts import Account
from mockplex.domain.ids import user_id_of
from mockplex.domain.invites import Invite
from mockplex.plextv.request import caller
from mockplex.web import render
from mockplex.web.apidoc import TOKEN, XML_ONLY, documented, plex_error
from mockplex.web.context import base_url, store
from mockplex.web.deferred import Deferred

if TYPE_CHECKING:
    from mockplex.plextv import servers_wire, wire
else:
    servers_wire = Deferred("mockplex.plextv.servers_wire")
    wire = Deferred("mockplex.plextv.wire")

bp = Blueprint("invites", __name__)

USER_ID = {"in": "path", "name": "user_id", "required": True, "schema": {"type": "integer"}}
SIGNED_OUT = {"401": plex_error("a missing or unknown token (1001)")}
BAD_ID = {"400": plex_error("an id that is no number (1000)")}


def invite_values(invites: list[Invite], other: Account, viewer: Account) -> dict[str, Any]:
    """One ``<Invite>``: ``other`` (the owner for the invited, the invited for the owner)
    and the servers of ``invites``."""
    now = store().clock.now()
    servers = [servers_wire.FRIEND_SERVER.dump(servers_wire.shared_server_values(
        pending, store().server(pending.server), viewer.username, now))
        for pending in invites]
    return {"id": other.id, "createdAt": int(min(i.created_at for i in invites)),
            "friend": True, "home": False, "server": True, "username": other.username,
            "email": other.email, "thumb": wire.thumb_url(other, base_url()),
            "friendlyName": other.title, "Server": servers}


def invites_xml(account: Account, invites: list[Invite], by_owner: bool) -> Response:
    """``invites`` as ``<Invite>``s, one per owner (``by_owner``) or per invited account."""
    groups: dict[str, list[Invite]] = {}
    for pending in invites:
        groups.setdefault(pending.owner if by_owner else pending.user, []).append(pending)
    listed = [invite_values(grouped, store().account(other), account)
              for other, grouped in groups.items()]
    return render.xml_response(servers_wire.myplex_container(account, "Invite", listed))


def empty(account: Account) -> Response:
    return render.xml_response(servers_wire.myplex_container(account, "Invite", []))


@bp.get("/api/invites/requests")
@documented(get={
    "summary": "The invites the token's account has received, pending (XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN],
    "responses": {"200": XML_ONLY, **SIGNED_OUT}})
@render.suffix_only
def received() -> Response:
    account = caller()
    return invites_xml(account, store().invites_to(account), by_owner=True)


@bp.get("/api/invites/requested")
@documented(get={
    "summary": "The invites the token's account has sent, pending (XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN],
    "responses": {"200": XML_ONLY, **SIGNED_OUT}})
@render.suffix_only
def sent() -> Response:
    account = caller()
    return invites_xml(account, store().invites_by(account), by_owner=False)


@bp.put("/api/invites/requests/<user_id>")
@documented(put={
    "summary": "Accept every pending invite from account user_id: each is a share",
    "tags": ["plex.tv"], "parameters": [TOKEN, USER_ID],
    "responses": {"200": XML_ONLY, **BAD_ID, **SIGNED_OUT,
                  "404": plex_error("no pending invite from that account (1002)")}})
@render.suffix_only
def accept(user_id: str) -> Response:
    account = caller()
    owner = store().account_by_id(user_id_of(user_id))
    store().accept_invites(account, owner.username)
    return empty(account)


@bp.delete("/api/invites/requested/<user_id>")
@documented(delete={
    "summary": "Cancel every pending invite the token's account sent account user_id",
    "tags": ["plex.tv"], "parameters": [TOKEN, USER_ID],
    "responses": {"200": XML_ONLY, **BAD_ID, **SIGNED_OUT,
                  "404": plex_error("no pending invite to that account (1002)")}})
@render.suffix_only
def cancel(user_id: str) -> Response:
    account = caller()
    user = store().account_by_id(user_id_of(user_id))
    store().cancel_invites(account, user.username)
    return empty(account)


@bp.delete("/api/v2/sharings/<user_id>")
@documented(delete={
    "summary": "End the sharing between the token's account and account user_id",
    "tags": ["plex.tv"], "parameters": [TOKEN, USER_ID],
    "responses": {"204": {"description": "the shares ended"}, **BAD_ID, **SIGNED_OUT,
                  "404": plex_error("nothing shared with that account (1002)")}})
def unshare(user_id: str) -> Response:
    account = caller()
    user = store().account_by_id(user_id_of(user_id))
    store().unshare(account, user.username)
    return Response(status=204)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
