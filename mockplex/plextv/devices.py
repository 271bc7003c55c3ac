"""What plex.tv tells a signed-in app of the account's machines, and the pictures it links:
the devices (``GET /devices.xml``: its servers and the clients that signed in as it;
``DELETE /devices/<id>.xml``), a claim token for a new server
(``GET /api/claim/token.json``), the older server list (``GET /pms/servers``) and the
account's picture (``/users/<uuid>/avatar``, the ``thumb`` of every account answer).

The older routes answer XML only, as plex.tv's do; the claim token JSON only. A client
is recorded by the store when it signs in (``Store.record_client``: a pin it made,
approved and polled, in :mod:`mockplex.plextv.pins`; a password sign-in, in
:mod:`mockplex.plextv.account`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response

from mockplex.domain.accounts import Account
from mockplex.domain.devices import Device
from mockplex.domain.ids import user_id_of
from mockplex.domain.servers import Connection, Server
from mockplex.plextv.request import caller
from mockplex.web import render
from mockplex.web.apidoc import (
    JSON,
    SIGNED_OUT,
    TOKEN,
    XML_ONLY,
    answer,
    documented,
    plex_error,
)
from mockplex.web.context import store
from mockplex.web.deferred import Deferred
from mockplex.web.errors import ResourceNotFound

if TYPE_CHECKING:
    from mockplex.plextv import servers_wire
else:
    servers_wire = Deferred("mockplex.plextv.servers_wire")

bp = Blueprint("devices", __name__)

PMS = "Plex Media Server"
#: The avatar: a plain 32-pixel square, as plex.tv draws for an account with no picture.
AVATAR = Path(__file__).resolve().parent.parent / "static" / "avatar.png"


# -- the wire shapes ---------------------------------------------------------------

def server_device(server: Server, connections: tuple[Connection, ...],
                  now: float) -> dict[str, Any]:
    """A server as a ``<Device>`` of ``/devices.xml`` (python-plexapi's MyPlexDevice)."""
    return {
        "name": server.name, "publicAddress": server.public_address, "product": PMS,
        "productVersion": server.product_version, "platform": server.platform,
        "platformVersion": server.platform_version, "device": server.device, "model": "",
        "vendor": "", "provides": "server", "clientIdentifier": server.machine_identifier,
        "version": server.product_version, "id": server.id, "token": server.access_token,
        "createdAt": int(server.created_at), "lastSeenAt": int(now),
        "screenResolution": "", "screenDensity": "",
        "Connection": [{"uri": connection.uri} for connection in connections]}


def client_device(device: Device) -> dict[str, Any]:
    """A client that signed in, as a ``<Device>`` of ``/devices.xml``."""
    return {
        "name": device.name or device.product, "publicAddress": "127.0.0.1",
        "product": device.product, "productVersion": device.product_version,
        "platform": device.platform, "platformVersion": device.platform_version,
        "device": device.device, "model": device.model, "vendor": device.vendor,
        "provides": device.provides, "clientIdentifier": device.client_identifier,
        "version": device.product_version, "id": device.id, "token": device.token,
        "createdAt": int(device.created_at), "lastSeenAt": int(device.last_seen_at),
        "screenResolution": "", "screenDensity": ""}


def pms_server(server: Server, connections: tuple[Connection, ...], owner: Account | None,
               access_token: str) -> dict[str, Any]:
    """A ``<Server>`` of ``/pms/servers``: ``owner`` None for the caller's own. Its
    ``address`` and ``port`` are the first plain-http connection plex.tv lists (a live
    server's ``127.0.0.1:PORT``), else the first."""
    plain = [c for c in connections if c.protocol == "http" and not c.relay]
    main = next(iter(plain or connections), None)
    values: dict[str, Any] = {
        "accessToken": access_token, "name": server.name,
        "address": main.address if main else server.public_address,
        "port": main.port if main else 32400, "version": server.product_version,
        "scheme": main.protocol if main else "http",
        "host": main.address if main else server.public_address,
        "localAddresses": ",".join(dict.fromkeys(c.address for c in connections if c.local)),
        "machineIdentifier": server.machine_identifier,
        "createdAt": int(server.created_at), "updatedAt": int(server.created_at),
        "owned": owner is None, "synced": False}
    if owner is not None:
        values.update(sourceTitle=owner.username, ownerId=owner.id, home=False)
    return values


@cache
def avatar_png() -> bytes:
    """:data:`AVATAR`'s bytes, read once."""
    return AVATAR.read_bytes()


# -- the routes ----------------------------------------------------------------------

@bp.get("/devices.xml")
@documented(get={
    "summary": "The account's devices: its servers, and the clients that signed in as it "
               "(XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN],
    "responses": {"200": XML_ONLY, **SIGNED_OUT}})
@render.suffix_only
def devices() -> Response:
    account = caller()
    state = store()
    now = state.clock.now()
    listed = [server_device(server, state.connections(server), now)
              for server, share in state.resources(account) if share is None]
    listed += [client_device(device) for device in state.devices.of(account.username)]
    root = render.flat_xml("MediaContainer", {"publicAddress": "127.0.0.1",
                                              "size": len(listed)})
    root.extend(render.flat_xml("Device", device) for device in listed)
    return render.xml_response(root)


@bp.delete("/devices/<device_id>.xml")
@bp.delete("/devices/<device_id>")
@documented(delete={
    "summary": "Forget a client device of the account", "tags": ["plex.tv"],
    "parameters": [TOKEN, {"in": "path", "name": "device_id", "required": True,
                           "schema": {"type": "integer"}}],
    "responses": {"204": answer("forgotten"),
                  "400": plex_error("an id that is no number (1000), or one of the "
                                    "account's servers"),
                  "404": plex_error("no device of the account has that id (1002)"),
                  **SIGNED_OUT}})
@render.suffix_only
def delete_device(device_id: str) -> Response:
    account = caller()
    # an id as plex.tv's paths write them: 400 if not; a server's: 400; none: 404
    store().forget_device(account, user_id_of(device_id, "device"))
    return Response(status=204)


@bp.get("/api/claim/token.json")
@documented(get={
    "summary": "A claim token for a new server: claim- and 20 characters, living 4 minutes",
    "tags": ["plex.tv"], "parameters": [TOKEN],
    "responses": {"200": answer("the token", {
        "type": "object", "required": ["token"],
        "properties": {"token": {"type": "string", "pattern": "^claim-[A-Za-z0-9]{20}$"}}},
        (JSON,)), **SIGNED_OUT}})
def claim_token() -> Response:
    claim = store().new_claim_token(caller())
    return render.json_response({"token": claim.token})


@bp.get("/pms/servers")
@bp.get("/pms/servers.xml")
@documented(get={
    "summary": "The servers a token's account sees (the oldest route, XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN],
    "responses": {"200": XML_ONLY, **SIGNED_OUT}})
@render.suffix_only
def pms_servers() -> Response:
    account = caller()
    state = store()
    listed = []
    for server, share in state.resources(account):
        owner = None if share is None else state.account(server.owner)
        token = server.access_token if share is None else share.access_token
        listed.append(pms_server(server, state.connections(server), owner, token))
    return render.xml_response(servers_wire.myplex_container(account, "Server", listed))


@bp.get("/users/<uuid>/avatar")
@documented(get={
    "summary": "An account's picture (the thumb of its answers)", "tags": ["plex.tv"],
    "parameters": [{"in": "path", "name": "uuid", "required": True,
                    "schema": {"type": "string"}}],
    "responses": {"200": {"description": "a PNG image", "content": {
                      "image/png": {"schema": {"type": "string", "format": "binary"}}}},
                  "404": plex_error("no account has that uuid (1002)")}})
def avatar(uuid: str) -> Response:
    if not any(account.uuid == uuid for account in store().accounts()):
        raise ResourceNotFound("no account has that uuid")
    return Response(avatar_png(), content_type="image/png")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
