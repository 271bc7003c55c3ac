"""The control API's bodies about servers: a server to add (``POST /_mockplex/servers``,
a scenario file's ``servers``), its connections and libraries as a test gives them, and
a server as the control API lists it (:func:`listed`). The other bodies are
:mod:`.bodies`'."""

from __future__ import annotations

import random
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from mockplex.control.bodies import held_to
from mockplex.domain.libraries import KINDS, libraries_of
from mockplex.domain.limits import CONNECTIONS_MAX, ITEMS_MAX, LIBRARIES_MAX, TEXT_MAX
from mockplex.domain.servers import CONNECTION_URL, Connection, Server
from mockplex.plextv.arguments import SOME_TEXT, TEXT, JSONBoolean

URL = validate.Regexp(CONNECTION_URL, error="Not a connection URL: http(s)://host[:port], "
                                            "no path.")


class ConnectionArgs(Schema):
    class Meta:
        unknown = RAISE

    uri = fields.String(required=True, validate=[TEXT, URL],
                        metadata={"example": "http://127.0.0.1:32400"})
    local = JSONBoolean(load_default=True)
    relay = JSONBoolean(load_default=False)


CONNECTION_ARGS = ConnectionArgs()


class ConnectionField(fields.Field):  # type: ignore[type-arg]
    """A connection given as its URL or as ``{"uri", "local", "relay"}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any,
                     **kwargs: Any) -> Connection:
        if isinstance(value, dict):
            return Connection.to(**CONNECTION_ARGS.load(value))
        if isinstance(value, str):
            TEXT(value)
            URL(value)
            return Connection.to(value)
        raise ValidationError("a connection is a URL or an object with a uri")


class ItemArgs(Schema):
    """An item of a library, given as an object (or as its title alone: :class:`ItemField`)."""

    class Meta:
        unknown = RAISE

    title = fields.String(required=True, validate=SOME_TEXT)
    #: The domain's rule (mockplex.domain.libraries.item_of), said here for the document.
    year = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1800, 2999))


ITEM_ARGS = ItemArgs()


class ItemField(fields.Field):  # type: ignore[type-arg]
    """An item given as its title or as ``{"title", "year"}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any,
                     **kwargs: Any) -> str | dict[str, Any]:
        if isinstance(value, dict):
            loaded: dict[str, Any] = ITEM_ARGS.load(value)
            return loaded
        if isinstance(value, str):
            SOME_TEXT(value)
            return value
        raise ValidationError("an item is a title, or an object with a title and a year")


class LibraryArgs(Schema):
    """A library of a server, as a test gives it (what it leaves out is made up:
    :func:`mockplex.domain.libraries.libraries_of`)."""

    class Meta:
        unknown = RAISE
        rules: ClassVar = {"properties": {"items": {"items": {"oneOf": [
            {"type": "string", "minLength": 1, "maxLength": TEXT_MAX},
            {"$ref": "#/components/schemas/ItemArgs"}]}}}}

    title = fields.String(required=True, validate=SOME_TEXT)
    type = fields.String(required=True, validate=validate.OneOf(KINDS))
    agent = fields.String(validate=SOME_TEXT)
    scanner = fields.String(validate=SOME_TEXT)
    language = fields.String(validate=SOME_TEXT)
    location = fields.String(validate=SOME_TEXT)
    items = fields.List(ItemField(), validate=validate.Length(max=ITEMS_MAX))


class ItemSchema(Schema):
    """An item as the control API lists it."""

    rating_key = fields.Integer(data_key="ratingKey")
    title = fields.String()
    type = fields.String()
    year = fields.Integer(allow_none=True)


class LibrarySchema(Schema):
    """A library as the control API lists it."""

    key = fields.Integer()
    title = fields.String()
    type = fields.String()
    agent = fields.String()
    scanner = fields.String()
    language = fields.String()
    uuid = fields.String()
    location = fields.String()
    items = fields.List(fields.Nested(ItemSchema))


class ServerArgs(Schema):
    """A server to add: the body of ``POST /_mockplex/servers``, and an entry of a
    scenario file's ``servers``. Given no connections, it is live."""

    class Meta:
        unknown = RAISE
        rules: ClassVar = {"properties": {"connections": {"type": "array", "items": {
            "oneOf": [{"type": "string", "pattern": CONNECTION_URL},
                      {"$ref": "#/components/schemas/ConnectionArgs"}]}},
            "libraries": {"uniqueItems": True,
                          "description": "Each titled differently (JSON Schema cannot say "
                                         "it: a repeated title is a 400)."}}}

    name = fields.String(required=True, validate=SOME_TEXT)
    owner = fields.String(load_default=None, allow_none=True, validate=TEXT)
    machine_identifier = fields.String(data_key="machineIdentifier", validate=SOME_TEXT)
    access_token = fields.String(data_key="accessToken", validate=SOME_TEXT)
    connections = fields.List(ConnectionField(),
                              validate=validate.Length(max=CONNECTIONS_MAX))
    libraries = fields.List(fields.Nested(LibraryArgs),
                            validate=validate.Length(max=LIBRARIES_MAX))
    product_version = fields.String(data_key="productVersion", validate=TEXT)
    platform = fields.String(validate=TEXT)
    platform_version = fields.String(data_key="platformVersion", validate=TEXT)
    device = fields.String(validate=TEXT)
    public_address = fields.String(data_key="publicAddress", validate=TEXT)
    https_required = JSONBoolean(data_key="httpsRequired")
    presence = JSONBoolean()

    @validates_schema
    def libraries_hold(self, data: dict[str, Any], **kwargs: Any) -> None:
        """What the fields cannot say alone (two libraries of one title, say) is the
        domain's rule (mockplex.domain.libraries.libraries_of)."""
        if "libraries" in data:
            held_to(libraries_of, data["libraries"], random.Random(0), 0.0,
                    field="libraries")


class ServerSchema(ServerArgs):
    """A server as the control API lists it: its fields, whether mockplex answers it
    (``live``), the port it listens on (null until it does, and for a server given
    connections), the connections plex.tv lists for it now, and its libraries."""

    class Meta:
        unknown = RAISE

    live = fields.Boolean()
    port = fields.Integer(allow_none=True)
    connections = fields.List(fields.Nested(ConnectionArgs))
    libraries = fields.List(fields.Nested(LibrarySchema))


def listed(server: Server, port: int | None, connections: tuple[Connection, ...]
           ) -> dict[str, Any]:
    """``server`` as :class:`ServerSchema` lists it, given what the store says of it now."""
    dumped: dict[str, Any] = SERVER.dump({**vars(server), "live": server.live, "port": port,
                                          "connections": connections})
    return dumped


SERVER_ARGS = ServerArgs()
SERVER = ServerSchema()
