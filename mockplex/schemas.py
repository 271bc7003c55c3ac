"""Every payload mockplex reads or writes, with plex.tv's exact wire names.

Python names are snake_case; ``data_key`` gives the wire name. Pins are dumped
once through :class:`PinSchema` and that dict is what both JSON and XML render.
Bodies the mock parses are strict (unknown keys are an error); query strings,
forms and headers are tolerant, since real clients send many X-Plex values.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from mockplex.clock import WIRE_FORMAT, to_datetime
from mockplex.store import Pin

#: The spellings of ``strong`` that plex.tv reads (python-plexapi sends ``True``).
#: (1 and 0 stand for True and False too: they are equal in a set.)
TRUTHY = {"true", "True", "1", 1}
FALSY = {"false", "False", "0", "", 0}
#: The furthest one call may move the clock: a hundred years, in seconds.
MAX_ADVANCE = 100 * 365 * 24 * 3600


class GeoDataSchema(Schema):
    """plex.tv's GeoData: the one object whose keys are snake_case on the wire."""

    code = fields.String(required=True)
    continent_code = fields.String(required=True)
    country = fields.String(required=True)
    city = fields.String(required=True)
    european_union_member = fields.Boolean(required=True)
    time_zone = fields.String(required=True)
    postal_code = fields.String(required=True)  # a string on the wire, never an int
    in_privacy_restricted_country = fields.Boolean(required=True)
    in_privacy_restricted_region = fields.Boolean(required=True)
    subdivisions = fields.String(required=True)
    coordinates = fields.String(required=True)  # "lat, lon"


class PinSchema(Schema):
    """The pin object of ``POST /api/v2/pins`` and ``GET /api/v2/pins/<id>``."""

    id = fields.Integer(required=True, strict=True)
    code = fields.String(required=True)
    product = fields.String(required=True)
    trusted = fields.Boolean(required=True)
    qr = fields.String(required=True)
    client_identifier = fields.String(data_key="clientIdentifier", required=True)
    location = fields.Nested(GeoDataSchema, required=True)
    expires_in = fields.Integer(data_key="expiresIn", required=True, strict=True)
    created_at = fields.DateTime(format=WIRE_FORMAT, data_key="createdAt", required=True)
    expires_at = fields.DateTime(format=WIRE_FORMAT, data_key="expiresAt", required=True)
    auth_token = fields.String(data_key="authToken", required=True, allow_none=True)
    new_registration = fields.Boolean(data_key="newRegistration", required=True,
                                      allow_none=True)


class ErrorSchema(Schema):
    code = fields.Integer(required=True)
    message = fields.String(required=True)
    status = fields.Integer(required=True)


class ErrorsSchema(Schema):
    """plex.tv's error body: ``{"errors": [{"code", "message", "status"}]}``."""

    errors = fields.List(fields.Nested(ErrorSchema), required=True)


class ClientSchema(Schema):
    """The X-Plex values a client identifies itself with (lower-cased names)."""

    class Meta:
        unknown = EXCLUDE

    client_identifier = fields.String(data_key="x-plex-client-identifier", required=True,
                                      validate=validate.Length(min=1))
    product = fields.String(data_key="x-plex-product", load_default="0")
    version = fields.String(data_key="x-plex-version")
    platform = fields.String(data_key="x-plex-platform")
    platform_version = fields.String(data_key="x-plex-platform-version")
    device = fields.String(data_key="x-plex-device")
    device_name = fields.String(data_key="x-plex-device-name")
    model = fields.String(data_key="x-plex-model")
    token = fields.String(data_key="x-plex-token")


class CreatePinArgs(Schema):
    """Parameters of ``POST /api/v2/pins`` (from the query, a form or a JSON body)."""

    class Meta:
        unknown = EXCLUDE

    strong = fields.Boolean(truthy=TRUTHY, falsy=FALSY, load_default=False)


class VerifyArgs(Schema):
    """Body of ``POST /_mockplex/pins/<id>/verify``."""

    class Meta:
        unknown = RAISE

    auth_token = fields.String(data_key="authToken", load_default=None,
                               validate=validate.Length(min=1))


class ClockArgs(Schema):
    """Body of ``POST /_mockplex/clock``."""

    class Meta:
        unknown = RAISE

    advance = fields.Float(required=True, allow_nan=False,
                           validate=validate.Range(min=0, max=MAX_ADVANCE))


PIN_SCHEMA = PinSchema()
ERRORS_SCHEMA = ErrorsSchema()


def describe(error: ValidationError) -> str:
    """A validation error in one line: ``field: problem; field: problem``."""
    messages: dict[str, Any] = error.normalized_messages()  # type: ignore[no-untyped-call]
    return "; ".join(f"{field}: {problems}" for field, problems in messages.items())


def dump_pin(pin: Pin, now: float, base_url: str) -> dict[str, Any]:
    """The wire form of ``pin`` as seen at ``now`` by a mock served at ``base_url``."""
    data: dict[str, Any] = PIN_SCHEMA.dump({
        "id": pin.id,
        "code": pin.code,
        "product": pin.product,
        "trusted": pin.trusted,
        "qr": f"{base_url}/api/v2/pins/qr/{pin.code}",
        "client_identifier": pin.client_identifier,
        "location": pin.location,
        "expires_in": pin.expires_in(now),
        "created_at": to_datetime(pin.created_at),
        "expires_at": to_datetime(pin.expires_at),
        "auth_token": pin.auth_token,
        "new_registration": pin.new_registration,
    })
    return data
