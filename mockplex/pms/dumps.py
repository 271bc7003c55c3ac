"""What a fake server answers, as values of its wire shapes (:mod:`.wire`): the server's
own (its name, machine identifier, version, platform), its owner's, its libraries',
and what every mock server says alike, as a new Linux server without Plex Pass would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marshmallow import Schema

from mockplex.domain.accounts import Account
from mockplex.domain.libraries import Item, Library
from mockplex.domain.servers import Server
from mockplex.pms.wire import (
    ACCOUNTS,
    EMPTY,
    IDENTITY,
    ITEMS,
    LIBRARY,
    ROOT,
    SECTIONS,
    SETTINGS,
)

LIBRARY_IDENTIFIER = "com.plexapp.plugins.library"
MEDIA_TAG_PREFIX = "/system/bundle/media/flags/"
MEDIA_TAG_VERSION = 1717494016  # a real server's, fixed (mock's choice)
#: What every mock server says it can do: a plain Linux server, no Plex Pass features.
TRANSCODER_BITRATES = "64,96,208,320,720,1500,2000,3000,4000,8000,10000,12000,20000"
TRANSCODER_QUALITIES = "0,1,2,3,4,5,6,7,8,9,10,11,12"
TRANSCODER_RESOLUTIONS = "128,128,160,240,320,480,768,720,720,1080,1080,1080,1080"
#: A library's view of all its items, by its type.
VIEW_TITLES = {"movie": "All Movies", "show": "All Shows", "artist": "All Artists",
               "photo": "All Photos"}


def dump(schema: Schema, values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = schema.dump(values)
    return data


def dump_identity(server: Server) -> dict[str, Any]:
    return dump(IDENTITY, {"size": 0, "claimed": True,
                           "machine_identifier": server.machine_identifier,
                           "version": server.product_version})


#: The children of ``GET /``: the parts of the server the mock answers (mock's choice).
ROOT_DIRECTORIES = ({"count": 1, "key": "clients", "title": "clients"},
                    {"count": 1, "key": "library", "title": "library"})


def dump_root(server: Server, owner: Account) -> dict[str, Any]:
    """``GET /`` of ``server``, which ``owner`` signed in to plex.tv (``myPlexUsername``
    is the owner's email, as a server shows it)."""
    return dump(ROOT, {
        "size": len(ROOT_DIRECTORIES), "allow_camera_upload": False,
        "allow_channel_access": True, "allow_media_deletion": True, "allow_sharing": True,
        "allow_sync": False, "allow_tuners": False, "background_processing": True,
        "certificate": True, "companion_proxy": True, "country_code": "nld",
        "diagnostics": "logs,databases,streaminglogs", "event_stream": True,
        "friendly_name": server.name, "hub_search": True, "item_clusters": True,
        "livetv": 7, "machine_identifier": server.machine_identifier,
        "media_providers": True, "multiuser": True, "music_analysis": 2, "my_plex": True,
        "my_plex_mapping_state": "mapped", "my_plex_signin_state": "ok",
        "my_plex_subscription": False, "my_plex_username": owner.email,
        "offline_transcode": 1, "owner_features": "", "photo_auto_tag": True,
        "platform": server.platform, "platform_version": server.platform_version,
        "plugin_host": True, "push_notifications": False, "read_only_libraries": False,
        "streaming_brain_abr_version": 3, "streaming_brain_version": 2, "sync": False,
        "transcoder_active_video_sessions": 0, "transcoder_audio": True,
        "transcoder_lyrics": True, "transcoder_photo": True, "transcoder_subtitles": True,
        "transcoder_video": True, "transcoder_video_bitrates": TRANSCODER_BITRATES,
        "transcoder_video_qualities": TRANSCODER_QUALITIES,
        "transcoder_video_resolutions": TRANSCODER_RESOLUTIONS,
        "updated_at": int(server.created_at), "updater": True,
        "version": server.product_version, "voice_search": True,
        "directories": list(ROOT_DIRECTORIES)})


def dump_library() -> dict[str, Any]:
    """``GET /library``: the same for every server."""
    return dump(LIBRARY, {
        "size": 1, "allow_sync": False, "art": "/:/resources/library-art.png", "content": "",
        "identifier": LIBRARY_IDENTIFIER, "media_tag_prefix": MEDIA_TAG_PREFIX,
        "media_tag_version": MEDIA_TAG_VERSION, "title1": "Plex Library", "title2": "",
        "directories": [{"key": "sections", "title": "Library Sections"}]})


def section_values(library: Library) -> dict[str, Any]:
    when = int(library.created_at)
    art = library.type  # its art and icon: /:/resources/<type>-fanart.jpg, <type>.png
    return {
        "allow_sync": True, "art": f"/:/resources/{art}-fanart.jpg",
        "composite": f"/library/sections/{library.key}/composite/{when}", "filters": True,
        "refreshing": False, "thumb": f"/:/resources/{art}.png", "key": str(library.key),
        "type": library.type, "title": library.title, "agent": library.agent,
        "scanner": library.scanner, "language": library.language, "uuid": library.uuid,
        "updated_at": when, "created_at": when, "scanned_at": when, "content": True,
        "directory": True, "content_changed_at": 0, "hidden": 0,
        "locations": [{"id": library.key, "path": library.location}]}


def dump_sections(libraries: Sequence[Library]) -> dict[str, Any]:
    """``GET /library/sections`` of a server with these libraries."""
    return dump(SECTIONS, {
        "size": len(libraries), "allow_sync": False, "identifier": LIBRARY_IDENTIFIER,
        "media_tag_prefix": MEDIA_TAG_PREFIX, "media_tag_version": MEDIA_TAG_VERSION,
        "title1": "Plex Library", "directories": [section_values(lib) for lib in libraries]})


def item_values(item: Item, when: int) -> dict[str, Any]:
    key = f"/library/metadata/{item.rating_key}"
    values: dict[str, Any] = {
        "rating_key": str(item.rating_key),
        "key": key if item.type in ("movie", "photo") else f"{key}/children",
        "guid": f"plex://{item.type}/{item.rating_key:024x}", "type": item.type,
        "title": item.title, "added_at": when, "updated_at": when}
    if item.year is not None:
        values["year"] = item.year
    return values


def items_values(library: Library, items: Sequence[Item], offset: int) -> dict[str, Any]:
    """A container of ``items`` of ``library``, the first of them at ``offset``."""
    when = int(library.created_at)
    art = library.type  # its art and icon: /:/resources/<type>-fanart.jpg, <type>.png
    return {
        "size": len(items), "total_size": len(library.items), "offset": offset,
        "allow_sync": True, "art": f"/:/resources/{art}-fanart.jpg",
        "identifier": LIBRARY_IDENTIFIER, "library_section_id": library.key,
        "library_section_title": library.title, "library_section_uuid": library.uuid,
        "media_tag_prefix": MEDIA_TAG_PREFIX, "media_tag_version": MEDIA_TAG_VERSION,
        "thumb": f"/:/resources/{art}.png", "title1": library.title,
        "title2": VIEW_TITLES[library.type], "view_group": library.type,
        "items": [item_values(item, when) for item in items]}


def dump_items(library: Library, offset: int, size: int) -> dict[str, Any]:
    """A page of ``library``'s items: ``size`` of them from ``offset`` on."""
    return dump(ITEMS, items_values(library, library.items[offset:offset + size], offset))


def dump_item(library: Library, item: Item) -> dict[str, Any]:
    """``GET /library/metadata/<ratingKey>``: the one item, in its library."""
    return dump(ITEMS, {**items_values(library, [item], 0), "total_size": 1})


def system_account(local_id: int, name: str) -> dict[str, Any]:
    return {"id": local_id, "key": f"/accounts/{local_id}", "name": name,
            "default_audio_language": "en", "auto_select_audio": True,
            "default_subtitle_language": "en", "subtitle_mode": 0, "thumb": ""}


#: The server's own account for what no one signed in did, and the owner's local id.
SYSTEM_ACCOUNT_ID, OWNER_ACCOUNT_ID = 0, 1


def dump_accounts(owner: Account, friends: Sequence[Account]) -> dict[str, Any]:
    """``GET /accounts``: the server's own account (0, no name), the owner (1), and each
    account the server is shared with (under its plex.tv id)."""
    accounts = [system_account(SYSTEM_ACCOUNT_ID, ""),
                system_account(OWNER_ACCOUNT_ID, owner.username),
                *(system_account(friend.id, friend.username) for friend in friends)]
    return dump(ACCOUNTS, {"size": len(accounts), "identifier": "com.plexapp.system.accounts",
                           "accounts": accounts})


def settings_of(server: Server) -> list[dict[str, Any]]:
    """A few of a server's settings, as a new server has them (its name its own)."""
    return [
        {"id": "FriendlyName", "label": "Friendly name", "summary": (
            "This name will be used to identify this media server to other computers on "
            "your network. If you leave it blank, your computer's name will be used "
            "instead."), "type": "text", "default": "", "value": server.name,
         "hidden": False, "advanced": False, "group": "general"},
        {"id": "sendCrashReports", "label": "Send crash reports to Plex",
         "summary": "This helps us improve your experience.", "type": "bool",
         "default": True, "value": True, "hidden": False, "advanced": False,
         "group": "general"},
        {"id": "ScheduledLibraryUpdateInterval", "label": "Library scan interval",
         "summary": "", "type": "int", "default": 3600, "value": 3600, "hidden": False,
         "advanced": False, "group": "library", "enum_values": (
             "900:every 15 minutes|1800:every 30 minutes|3600:hourly|7200:every 2 hours|"
             "21600:every 6 hours|43200:every 12 hours|86400:daily")},
        {"id": "ManualPortMappingPort", "label": "Manually specify public port",
         "summary": "", "type": "int", "default": 32400, "value": 32400, "hidden": False,
         "advanced": True, "group": "network"},
        {"id": "secureConnections", "label": "Secure connections", "summary": (
            "When set to \"Required\", some older clients may not be able to connect."),
         "type": "int", "default": 1, "value": 1, "hidden": False, "advanced": False,
         "group": "network", "enum_values": "0:Required|1:Preferred|2:Disabled"},
    ]


def dump_settings(server: Server) -> dict[str, Any]:
    """``GET /:/prefs``."""
    settings = settings_of(server)
    return dump(SETTINGS, {"size": len(settings), "settings": settings})


def dump_empty() -> dict[str, Any]:
    return dump(EMPTY, {"size": 0})
