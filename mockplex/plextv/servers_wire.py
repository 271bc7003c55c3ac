"""plex.tv's wire shapes of what an account shares and who with: its servers (the
resources, ``/api/resources``' devices), its friends (``/api/users``), its Plex Home
(``/api/home/users``) and the servers its invites and shares name, and the root of the
older myPlex XML answers. The account's own shapes (pins, users, errors) are
:mod:`mockplex.plextv.wire`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from xml.etree import ElementTree

from marshmallow import Schema, fields

from mockplex.domain.accounts import Account
from mockplex.domain.clock import WIRE_FORMAT, to_datetime
from mockplex.domain.invites import Invite
from mockplex.domain.servers import Connection, Server, Share
from mockplex.plextv.wire import member_values, thumb_url
from mockplex.web import render


class LegacyConnectionSchema(Schema):
    """A ``<Connection>`` of ``/api/resources``."""

    protocol = fields.String(required=True)
    address = fields.String(required=True)
    port = fields.Integer(required=True, strict=True)
    uri = fields.String(required=True)
    local = fields.Boolean(required=True)


class ConnectionSchema(LegacyConnectionSchema):
    """A connection of a resource, as ``/api/v2/resources`` lists it."""

    relay = fields.Boolean(required=True)
    ipv6 = fields.Boolean(data_key="IPv6", required=True)


class ServerAttributes(Schema):
    """What both resource lists say of a server (its times and owner they say apart)."""

    name = fields.String(required=True)
    product = fields.String(required=True)
    product_version = fields.String(data_key="productVersion", required=True)
    platform = fields.String(required=True, allow_none=True)
    platform_version = fields.String(data_key="platformVersion", required=True,
                                     allow_none=True)
    device = fields.String(required=True, allow_none=True)
    client_identifier = fields.String(data_key="clientIdentifier", required=True)
    provides = fields.String(required=True)
    public_address = fields.String(data_key="publicAddress", required=True)
    access_token = fields.String(data_key="accessToken", required=True)
    owned = fields.Boolean(required=True)
    synced = fields.Boolean(required=True)
    relay = fields.Boolean(required=True)
    presence = fields.Boolean(required=True)
    https_required = fields.Boolean(data_key="httpsRequired", required=True)
    public_address_matches = fields.Boolean(data_key="publicAddressMatches", required=True)
    dns_rebinding_protection = fields.Boolean(data_key="dnsRebindingProtection",
                                              required=True)
    nat_loopback_supported = fields.Boolean(data_key="natLoopbackSupported", required=True)


class ResourceSchema(ServerAttributes):
    """A server as ``GET /api/v2/resources`` lists it: what python-plexapi's MyPlexResource
    reads, and the fields of the community description's PlexDevice."""

    created_at = fields.DateTime(format=WIRE_FORMAT, data_key="createdAt", required=True)
    last_seen_at = fields.DateTime(format=WIRE_FORMAT, data_key="lastSeenAt", required=True)
    owner_id = fields.Integer(data_key="ownerId", required=True, allow_none=True)
    source_title = fields.String(data_key="sourceTitle", required=True, allow_none=True)
    home = fields.Boolean(required=True)
    connections = fields.List(fields.Nested(ConnectionSchema), required=True)


class DeviceSchema(ServerAttributes):
    """A ``<Device>`` of ``/api/resources`` (XML only): times in epoch seconds (Overseerr
    multiplies them by 1000), the owner's id as ``ownerID`` on a shared one."""

    created_at = fields.Integer(data_key="createdAt", required=True)
    last_seen_at = fields.Integer(data_key="lastSeenAt", required=True)
    owner_id = fields.Integer(data_key="ownerID")
    home = fields.Boolean()
    source_title = fields.String(data_key="sourceTitle")


class FriendServerSchema(Schema):
    """A ``<Server>`` under a ``<User>`` of ``/api/users``: a server the two share."""

    id = fields.Integer(required=True)
    server_id = fields.Integer(data_key="serverId", required=True)
    machine_identifier = fields.String(data_key="machineIdentifier", required=True)
    name = fields.String(required=True)
    last_seen_at = fields.Integer(data_key="lastSeenAt", required=True)
    num_libraries = fields.Integer(data_key="numLibraries", required=True)
    all_libraries = fields.Boolean(data_key="allLibraries", required=True)
    owned = fields.Boolean(required=True)
    pending = fields.Boolean(required=True)


class FriendSchema(Schema):
    """A ``<User>`` of ``/api/users`` (XML only): what Tautulli, Overseerr and
    python-plexapi's MyPlexUser read."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True)
    recommendations_playlist_id = fields.String(data_key="recommendationsPlaylistId",
                                                required=True)
    thumb = fields.String(required=True)
    protected = fields.Boolean(required=True)
    home = fields.Boolean(required=True)
    allow_tuners = fields.Boolean(data_key="allowTuners", required=True)
    allow_sync = fields.Boolean(data_key="allowSync", required=True)
    allow_camera_upload = fields.Boolean(data_key="allowCameraUpload", required=True)
    allow_channels = fields.Boolean(data_key="allowChannels", required=True)
    allow_subtitle_admin = fields.Boolean(data_key="allowSubtitleAdmin", required=True)
    filter_all = fields.String(data_key="filterAll", required=True)
    filter_movies = fields.String(data_key="filterMovies", required=True)
    filter_music = fields.String(data_key="filterMusic", required=True)
    filter_photos = fields.String(data_key="filterPhotos", required=True)
    filter_television = fields.String(data_key="filterTelevision", required=True)
    restricted = fields.Boolean(required=True)
    servers = fields.List(fields.Nested(FriendServerSchema), data_key="Server",
                          required=True)


RESOURCES = ResourceSchema(many=True)
DEVICE = DeviceSchema()
FRIEND = FriendSchema()
FRIEND_SERVER = FriendServerSchema()
LEGACY_CONNECTIONS = LegacyConnectionSchema(many=True)


def connection_values(connection: Connection) -> dict[str, Any]:
    return {"protocol": connection.protocol, "address": connection.address,
            "port": connection.port, "uri": connection.uri, "local": connection.local,
            "relay": connection.relay, "ipv6": False}  # the mock's are names or IPv4


def resource_values(server: Server, share: Share | None, owner: Account, now: float,
                    connections: tuple[Connection, ...]) -> dict[str, Any]:
    """A server as the account it is owned by (``share`` None) or shared with sees it,
    with the ``connections`` plex.tv lists for it (the store's ``connections``)."""
    return {
        "name": server.name, "product": "Plex Media Server",
        "product_version": server.product_version, "platform": server.platform,
        "platform_version": server.platform_version, "device": server.device,
        "client_identifier": server.machine_identifier, "created_at": server.created_at,
        "last_seen_at": now, "provides": "server",
        "owner_id": None if share is None else owner.id,
        "source_title": None if share is None else owner.username,
        "public_address": server.public_address,
        "access_token": server.access_token if share is None else share.access_token,
        "owned": share is None, "home": False, "synced": False, "relay": False,
        "presence": server.presence, "https_required": server.https_required,
        "public_address_matches": True, "dns_rebinding_protection": False,
        "nat_loopback_supported": False,
        "connections": [connection_values(c) for c in connections],
    }


def dump_resources(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``GET /api/v2/resources``: ``entries`` are :func:`resource_values`."""
    data: list[dict[str, Any]] = RESOURCES.dump([
        {**entry, "created_at": to_datetime(entry["created_at"]),
         "last_seen_at": to_datetime(entry["last_seen_at"])} for entry in entries])
    return data


def dump_device(entry: dict[str, Any]) -> dict[str, Any]:
    """A ``<Device>`` of ``/api/resources`` from :func:`resource_values`: its
    ``<Connection>`` children under the key ``Connection``."""
    legacy = {**entry, "created_at": int(entry["created_at"]),
              "last_seen_at": int(entry["last_seen_at"])}
    for key in ("owner_id", "source_title"):
        if legacy[key] is None:  # only a shared server has them
            del legacy[key]
    if entry["owned"]:
        del legacy["home"]
    data: dict[str, Any] = DEVICE.dump(legacy)
    data["Connection"] = LEGACY_CONNECTIONS.dump(entry["connections"])
    return data


def dump_friend(friend: Account, shares: list[tuple[Server, Share]], viewer: str,
                now: float, base_url: str) -> dict[str, Any]:
    """A ``<User>`` of ``viewer``'s ``/api/users``: a friend and the servers they share."""
    data: dict[str, Any] = FRIEND.dump({
        "id": friend.id, "title": friend.title, "username": friend.username,
        "email": friend.email, "recommendations_playlist_id": "",
        "thumb": thumb_url(friend, base_url), "protected": False,
        "home": False, "allow_tuners": False, "allow_sync": False,
        "allow_camera_upload": False, "allow_channels": False, "allow_subtitle_admin": False,
        "filter_all": "", "filter_movies": "", "filter_music": "", "filter_photos": "",
        "filter_television": "", "restricted": False,
        "servers": [shared_server_values(share, server, viewer, now) for server, share
                    in shares]})
    return data


def shared_server_values(grant: Share | Invite, server: Server, viewer: str,
                         now: float) -> dict[str, Any]:
    """A ``<Server>`` a friend (``/api/users``) or an invite (``/api/invites/...``) names,
    as :class:`FriendServerSchema` takes it: its libraries those ``grant`` names (none:
    all), pending when ``grant`` is an invite."""
    return {"id": grant.id, "server_id": server.id,
            "machine_identifier": server.machine_identifier, "name": server.name,
            "last_seen_at": int(now), "num_libraries": len(grant.sections or server.libraries),
            "all_libraries": not grant.sections, "owned": server.owner == viewer,
            "pending": isinstance(grant, Invite)}


# -- plex.tv's myPlex answers: /api/users, /api/home/users, /pms/servers, the invites' --

#: The root's attributes every myPlex answer has.
MYPLEX: Mapping[str, str] = MappingProxyType(
    {"friendlyName": "myPlex", "identifier": "com.plexapp.plugins.myplex"})


def myplex_container(account: Account, tag: str, children: list[dict[str, Any]], *,
                     total: bool = False) -> ElementTree.Element:
    """``<MediaContainer friendlyName="myPlex" identifier="com.plexapp.plugins.myplex"
    machineIdentifier size>`` (``totalSize`` too when ``total``) of ``children`` as
    ``<tag>`` elements: the root of plex.tv's myPlex answers to ``account``."""
    head: dict[str, Any] = {**MYPLEX, "machineIdentifier": account.uuid}
    if total:
        head["totalSize"] = len(children)
    return render.flat_xml("MediaContainer", {**head, "size": len(children), tag: children})


def home_user(member: Account, admin: Account, base_url: str) -> dict[str, Any]:
    """A ``<User>`` of ``/api/home/users`` (``admin`` the home's owner): what
    plex-api-credentials reads (``id``, ``title``, ``protected``) and the rest of plex.tv's
    attributes."""
    return {"id": member.id, "uuid": member.uuid, "admin": member.id == admin.id,
            "guest": False, **member_values(member),
            "restrictionProfile": "little_kid" if member.restricted else "",
            "hasPassword": member.password is not None, "title": member.title,
            "thumb": thumb_url(member, base_url)}


def home_friend(member: Account, shares: list[tuple[Server, Share]], viewer: str,
                now: float, base_url: str) -> dict[str, Any]:
    """A ``<User>`` of ``/api/users`` for a member of the viewer's Plex Home: a friend
    (:func:`dump_friend`) with ``home="1"`` and the member's values
    (:func:`member_values`)."""
    user = dump_friend(member, shares, viewer, now, base_url)
    user.update(home=True, **member_values(member))
    return user
