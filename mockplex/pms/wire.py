"""A Plex Media Server's wire shapes: each ``MediaContainer`` the fake servers answer
with, with the server's own field names and JSON types (:mod:`.dumps` fills them in).

Python names are snake_case; ``data_key`` gives the wire name. Each answer is dumped
once through its schema, and that dict is what both JSON and XML render
(:mod:`.answers`): numbers and booleans typed as the server's JSON types them (a
section's ``key`` and an item's ``ratingKey`` are strings there), 1 and 0 in XML. The
fields and their types are those of the community's OpenAPI description of the Plex
Media Server API (LukeHagar/plex-api-spec) and of what python-plexapi reads.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

# Every field of a shape is required (what a dump leaves out, loading its answer back
# finds missing: tests/pms/test_wire.py), named on the wire ``name`` (when not its own).


def number(name: str | None = None, **kwargs: Any) -> fields.Integer:
    return fields.Integer(data_key=name, required=True, strict=True, **kwargs)


def text(name: str | None = None, **kwargs: Any) -> fields.String:
    return fields.String(data_key=name, required=True, **kwargs)


def flag(name: str | None = None) -> fields.Boolean:
    return fields.Boolean(data_key=name, required=True)


class IdentitySchema(Schema):
    """``GET /identity``: who the server is, open to anyone."""

    size = number()
    claimed = flag()
    machine_identifier = text("machineIdentifier")
    version = text()


class RootDirectorySchema(Schema):
    count = number()
    key = text()
    title = text()


class RootSchema(Schema):
    """``GET /``: the server and what it can do (the description's
    ``getServerCapabilities``; python-plexapi's ``PlexServer._loadData``)."""

    size = number()
    allow_camera_upload = flag("allowCameraUpload")
    allow_channel_access = flag("allowChannelAccess")
    allow_media_deletion = flag("allowMediaDeletion")
    allow_sharing = flag("allowSharing")
    allow_sync = flag("allowSync")
    allow_tuners = flag("allowTuners")
    background_processing = flag("backgroundProcessing")
    certificate = flag()
    companion_proxy = flag("companionProxy")
    country_code = text("countryCode")
    diagnostics = text()
    event_stream = flag("eventStream")
    friendly_name = text("friendlyName")
    hub_search = flag("hubSearch")
    item_clusters = flag("itemClusters")
    livetv = number()
    machine_identifier = text("machineIdentifier")
    media_providers = flag("mediaProviders")
    multiuser = flag()
    music_analysis = number("musicAnalysis")
    my_plex = flag("myPlex")
    my_plex_mapping_state = text("myPlexMappingState")
    my_plex_signin_state = text("myPlexSigninState")
    my_plex_subscription = flag("myPlexSubscription")
    my_plex_username = text("myPlexUsername")
    offline_transcode = number("offlineTranscode")
    owner_features = text("ownerFeatures")
    photo_auto_tag = flag("photoAutoTag")
    platform = text()
    platform_version = text("platformVersion")
    plugin_host = flag("pluginHost")
    push_notifications = flag("pushNotifications")
    read_only_libraries = flag("readOnlyLibraries")
    streaming_brain_abr_version = number("streamingBrainABRVersion")
    streaming_brain_version = number("streamingBrainVersion")
    sync = flag()
    transcoder_active_video_sessions = number("transcoderActiveVideoSessions")
    transcoder_audio = flag("transcoderAudio")
    transcoder_lyrics = flag("transcoderLyrics")
    transcoder_photo = flag("transcoderPhoto")
    transcoder_subtitles = flag("transcoderSubtitles")
    transcoder_video = flag("transcoderVideo")
    transcoder_video_bitrates = text("transcoderVideoBitrates")
    transcoder_video_qualities = text("transcoderVideoQualities")
    transcoder_video_resolutions = text("transcoderVideoResolutions")
    updated_at = number("updatedAt")
    updater = flag()
    version = text()
    voice_search = flag("voiceSearch")
    directories = fields.List(fields.Nested(RootDirectorySchema), data_key="Directory",
                              required=True)


class LibraryDirectorySchema(Schema):
    key = text()
    title = text()


class LibraryContainer(Schema):
    """What every container of the library's routes says of itself."""

    size = number()
    allow_sync = flag("allowSync")
    identifier = text()
    media_tag_prefix = text("mediaTagPrefix")
    media_tag_version = number("mediaTagVersion")


class LibrarySchema(LibraryContainer):
    """``GET /library``: the library's front page (python-plexapi's ``Library``)."""

    art = text()
    content = text()
    title1 = text()
    title2 = text()
    directories = fields.List(fields.Nested(LibraryDirectorySchema), data_key="Directory",
                              required=True)


class LocationSchema(Schema):
    id = number()
    path = text()


class SectionSchema(Schema):
    """A ``<Directory>`` of ``/library/sections``: the description's ``LibrarySection``,
    and what python-plexapi's ``LibrarySection`` reads."""

    allow_sync = flag("allowSync")
    art = text()
    composite = text()
    filters = flag()
    refreshing = flag()
    thumb = text()
    key = text()  # a string in JSON too
    type = text()
    title = text()
    agent = text()
    scanner = text()
    language = text()
    uuid = text()
    updated_at = number("updatedAt")
    created_at = number("createdAt")
    scanned_at = number("scannedAt")
    content = flag()
    directory = flag()
    content_changed_at = number("contentChangedAt")
    hidden = number()
    locations = fields.List(fields.Nested(LocationSchema), data_key="Location", required=True)


class SectionsSchema(LibraryContainer):
    """``GET /library/sections``."""

    title1 = text()
    directories = fields.List(fields.Nested(SectionSchema), data_key="Directory",
                              required=True)


class ItemSchema(Schema):
    """A movie, show, artist or photo of ``/library/sections/<key>/all`` (``Metadata`` in
    JSON; ``<Video>``, ``<Directory>`` or ``<Photo>`` in XML)."""

    rating_key = text("ratingKey")  # a string in JSON too
    key = text()
    guid = text()
    type = text()
    title = text()
    year = fields.Integer(strict=True)  # only when known
    added_at = number("addedAt")
    updated_at = number("updatedAt")


class ItemsSchema(LibraryContainer):
    """``GET /library/sections/<key>/all``: a page of the library's items."""

    total_size = number("totalSize")
    offset = number()
    art = text()
    library_section_id = number("librarySectionID")
    library_section_title = text("librarySectionTitle")
    library_section_uuid = text("librarySectionUUID")
    thumb = text()
    title1 = text()
    title2 = text()
    view_group = text("viewGroup")
    items = fields.List(fields.Nested(ItemSchema), data_key="Metadata", required=True)


class SystemAccountSchema(Schema):
    """An ``<Account>`` of ``/accounts``: python-plexapi's ``SystemAccount``."""

    id = number()
    key = text()
    name = text()
    default_audio_language = text("defaultAudioLanguage")
    auto_select_audio = flag("autoSelectAudio")
    default_subtitle_language = text("defaultSubtitleLanguage")
    subtitle_mode = number("subtitleMode")
    thumb = text()


class AccountsSchema(Schema):
    size = number()
    identifier = text()
    accounts = fields.List(fields.Nested(SystemAccountSchema), data_key="Account",
                           required=True)


class SettingSchema(Schema):
    """A ``<Setting>`` of ``/:/prefs``: its value and default typed by its ``type``
    (``bool``, ``int``, ``double``, ``text``)."""

    id = text()
    label = text()
    summary = text()
    type = text()
    default = fields.Raw(required=True)
    value = fields.Raw(required=True)
    hidden = flag()
    advanced = flag()
    group = text()
    enum_values = fields.String(data_key="enumValues")  # only for a choice


class SettingsSchema(Schema):
    size = number()
    settings = fields.List(fields.Nested(SettingSchema), data_key="Setting", required=True)


class EmptySchema(Schema):
    """``/clients`` and ``/status/sessions`` of a server nobody plays from."""

    size = number()


IDENTITY = IdentitySchema()
ROOT = RootSchema()
LIBRARY = LibrarySchema()
SECTIONS = SectionsSchema()
ITEMS = ItemsSchema()
ACCOUNTS = AccountsSchema()
SETTINGS = SettingsSchema()
EMPTY = EmptySchema()
