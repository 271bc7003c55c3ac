"""An owner's server and its sharing, as python-plexapi calls them: the owner reads its
server and its library sections (``GET /api/servers/<machineId>``), invites an existing
account or shares with a managed user of its own home
(``POST /api/servers/<machineId>/shared_servers``: ``inviteFriend``,
``createExistingUser``, ``createHomeUser``) and lists who the server is shared with or
invited to (``GET /api/servers/<machineId>/shared_servers``). What the invited account does next is
:mod:`mockplex.plextv.invites`'.

These are plex.tv's older routes: XML only. The rule of who may be invited is the
store's (:meth:`mockplex.domain.store.Store.invite`), its refusals answered by
:mod:`mockplex.web.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response

from mockplex.domain.accounts import Account
from mockplex.domain.ids import user_id_of
from mockplex.domain.invites import Invite
from mockplex.domain.limits import TEXT_MAX
from mockplex.domain.servers import Server, Share
from mockplex.domain.text import shown
from mockplex.plextv.devices import pms_server
from mockplex.plextv.request import caller, json_body
from mockplex.web import render
from mockplex.web.apidoc import TOKEN, XML_ONLY, documented, plex_error
from mockplex.web.context import store
from mockplex.web.deferred import Deferred
from mockplex.web.errors import BadParameter, PlexError, ResourceNotFound

if TYPE_CHECKING:
    from mockplex.plextv import servers_wire
else:
    servers_wire = Deferred("mockplex.plextv.servers_wire")

bp = Blueprint("sharing", __name__)

#: A library section's plex.tv id: the server's id times this, plus the section's place.
SECTION_ID_BASE = 1000
MACHINE_ID = {"in": "path", "name": "machine_id", "required": True,
              "schema": {"type": "string"}}
NOT_YOURS = {"401": plex_error("a missing or unknown token (1001)"),
             "403": plex_error("a server the token's account does not own"),
             "404": plex_error("no server has that machine identifier (1002)")}
BODY = ("The body is JSON: {\"server_id\": ..., \"shared_server\": {\"invited_email\": ..., "
        "\"library_section_ids\": [...]}}")


def owned_server(machine_id: str, account: Account) -> Server:
    """The server ``machine_id`` names, if ``account`` owns it: 404 or 403 if not."""
    server = store().server_for_machine_identifier(machine_id)
    if server is None:
        raise ResourceNotFound(
            f"No server has the machine identifier {machine_id[:64]!r}")
    if server.owner != account.username:
        raise PlexError("The server is not yours: only its owner shares it", status=403)
    return server


def section_values(server: Server, keys: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    """``server``'s library sections as plex.tv lists them (``shared``: among ``keys``,
    or all of them when ``keys`` is empty)."""
    return [{"id": server.id * SECTION_ID_BASE + place, "key": library.key,
             "type": library.type, "title": library.title,
             "shared": not keys or library.key in keys}
            for place, library in enumerate(server.libraries, start=1)]


@bp.get("/api/servers/<machine_id>")
@documented(get={
    "summary": "A server the token's account owns, and its library sections (XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN, MACHINE_ID],
    "responses": {"200": XML_ONLY, **NOT_YOURS}})
@render.suffix_only
def server_of(machine_id: str) -> Response:
    account = caller()
    server = owned_server(machine_id, account)
    values = {**pms_server(server, store().connections(server), None, server.access_token),
              "Section": section_values(server)}
    return render.xml_response(servers_wire.myplex_container(account, "Server", [values]))


def sections_asked(server: Server, body: dict[str, Any]) -> tuple[int, ...]:
    """The library keys of ``library_section_ids`` (plex.tv's section ids)."""
    ids = body.get("library_section_ids", [])
    if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise BadParameter("shared_server.library_section_ids is a list of section ids")
    by_id = {section["id"]: section["key"] for section in section_values(server)}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise BadParameter(f"The server has no library section with the id {shown(unknown[0])}; "
                           f"GET /api/servers/{server.machine_identifier} lists them")
    return tuple(by_id[i] for i in ids)


def invitee(body: dict[str, Any]) -> str:
    """The account ``shared_server`` names: ``invited_email`` (a username or an email)
    or ``invited_id`` (a number, or its digits)."""
    login, user_id = body.get("invited_email"), body.get("invited_id")
    if isinstance(login, str) and login:
        if len(login) > TEXT_MAX:
            raise BadParameter(f"invited_email is at most {TEXT_MAX} characters")
        return login
    if isinstance(user_id, str):
        user_id = user_id_of(user_id)  # its digits: 400 if not
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        return store().account_by_id(user_id).username
    raise BadParameter("shared_server names the account invited: invited_email (a username "
                       "or an email) or invited_id")


def shared_server_values(server: Server, made: Invite | Share) -> dict[str, Any]:
    """A ``<SharedServer>``: a pending invite (no token, not accepted) or a share."""
    user = store().account(made.user)
    share = made if isinstance(made, Share) else None
    invited_at = int(made.created_at)
    return {"id": made.id, "username": user.username, "email": user.email,
            "userID": user.id, "accessToken": share.access_token if share else "",
            "name": server.name, "acceptedAt": invited_at if share else 0,
            "invitedAt": invited_at, "allowSync": False, "allowCameraUpload": False,
            "allowChannels": False, "allowTuners": False,
            "allLibraries": not made.sections, "owned": False,
            "Section": section_values(server, made.sections)}


@bp.post("/api/servers/<machine_id>/shared_servers")
@documented(post={
    "summary": "Invite an existing account to a server the token's account owns (XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN, MACHINE_ID],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": {
            "server_id": {"type": "string"},
            "shared_server": {"type": "object", "properties": {
                "library_section_ids": {"type": "array", "items": {"type": "integer"}},
                "invited_email": {"type": "string"}, "invited_id": {"type": "integer"}}},
            "sharing_settings": {"type": "object"}}}}}},
    "responses": {"200": XML_ONLY,
                  "400": plex_error("no account named, oneself, another home's managed "
                                    "user, or an unknown section"),
                  "409": plex_error("invited or shared already"),
                  "429": plex_error("the pending invites are at their cap (INVITES_MAX)"),
                  **NOT_YOURS}})
@render.suffix_only
def invite(machine_id: str) -> Response:
    account = caller()
    server = owned_server(machine_id, account)
    body = json_body()
    shared = body.get("shared_server")
    if not isinstance(shared, dict):
        raise BadParameter(BODY)
    if body.get("server_id") not in (None, machine_id):
        raise BadParameter("server_id is not the machine identifier of the path")
    sections = sections_asked(server, shared)
    made = store().invite(server.name, invitee(shared), sections)
    return render.xml_response(servers_wire.myplex_container(
        account, "SharedServer", [shared_server_values(server, made)]))


@bp.get("/api/servers/<machine_id>/shared_servers")
@documented(get={
    "summary": "Who a server of the token's account is shared with, or invited to (XML)",
    "tags": ["plex.tv"], "parameters": [TOKEN, MACHINE_ID],
    "responses": {"200": XML_ONLY, **NOT_YOURS}})
@render.suffix_only
def shared_servers(machine_id: str) -> Response:
    account = caller()
    server = owned_server(machine_id, account)
    made: list[Invite | Share] = [s for s in store().shares() if s.server == server.name]
    made += [i for i in store().invites_by(account) if i.server == server.name]
    return render.xml_response(servers_wire.myplex_container(
        account, "SharedServer", [shared_server_values(server, m) for m in made]))


@bp.get("/api/servers/<machine_id>/shared_servers/<share_id>")
@documented(get={
    "summary": "One share of a server of the token's account, and its sections (XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN, MACHINE_ID, {
        "in": "path", "name": "share_id", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": XML_ONLY, "400": plex_error("an id that is no number (1000)"),
                  **NOT_YOURS, "404": plex_error("no such server, or no share of it has "
                                                 "that id (1002)")}})
@render.suffix_only
def shared_server(machine_id: str, share_id: str) -> Response:
    """What python-plexapi's ``MyPlexServerShare.sections()`` reads: the share ``/api/users``
    named by its ``id``, as a ``<SharedServer>`` and its ``<Section shared>``s."""
    account = caller()
    server = owned_server(machine_id, account)
    number = user_id_of(share_id, "share")
    share = next((s for s in store().shares() if s.server == server.name and s.id == number),
                 None)
    if share is None:
        raise ResourceNotFound(f"no share of the server {server.name!r} has the id {number}")
    return render.xml_response(servers_wire.myplex_container(
        account, "SharedServer", [shared_server_values(server, share)]))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
