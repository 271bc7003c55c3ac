"""plex.tv's request arguments: what its routes read from a query, a form or a JSON body,
with plex.tv's exact wire names, and :func:`load`, which turns a refusal into one line
naming each field (the control bodies, :mod:`mockplex.control.bodies`, load the same way).

Query strings, forms and headers are tolerant (unknown keys are ignored), since real
clients send many X-Plex values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
)

from mockplex.domain import flags
from mockplex.domain.errors import MockplexError
from mockplex.domain.limits import NOT_TEXT, TEXT_MAX, is_text


class Text(validate.Length):
    """A text's length, and that its characters are characters (a lone surrogate is
    refused: :func:`mockplex.domain.limits.is_text`). A Length still, so the OpenAPI
    document gives its bounds."""

    def __call__(self, value: Any) -> Any:
        value = super().__call__(value)
        if isinstance(value, str) and not is_text(value):
            raise ValidationError(NOT_TEXT)
        return value


#: A text a test gives mockplex (mockplex.domain.limits.TEXT_MAX), and one that is not empty.
TEXT = Text(max=TEXT_MAX)
SOME_TEXT = Text(min=1, max=TEXT_MAX)


class Flag(fields.Boolean):
    """Yes or no, in the spellings given (:mod:`mockplex.domain.flags` names each
    reader's), read by :func:`mockplex.domain.flags.parse`; anything else is invalid."""

    def __init__(self, true: Collection[Any], false: Collection[Any], **kwargs: Any) -> None:
        super().__init__(truthy=set(true), falsy=set(false), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        try:
            return flags.parse(value, self.truthy, self.falsy)
        except flags.NotAFlag:
            raise self.make_error("invalid", input=value) from None


class JSONBoolean(fields.Boolean):
    """true or false, and nothing that merely equals them (0, 1, "true")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class JSONNumber(fields.Float):
    """A JSON number, and nothing that merely parses as one ("10", true)."""

    default_error_messages = {"invalid": "Not a number (a JSON number, not a string)."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        result: float = super()._deserialize(value, attr, data, **kwargs)
        return result


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

    strong = Flag(flags.WIRE_TRUE, flags.WIRE_FALSE, load_default=False)


class SignInArgs(Schema):
    """The form of ``POST /api/v2/users/signin``, as python-plexapi sends it."""

    class Meta:
        unknown = EXCLUDE

    login = fields.String(required=True, validate=validate.Length(min=1))
    password = fields.String(required=True, validate=validate.Length(min=1))
    remember_me = Flag(flags.WIRE_TRUE, flags.WIRE_FALSE, data_key="rememberMe",
                       load_default=False)
    verification_code = fields.String(data_key="verificationCode", load_default=None)


class LinkArgs(Schema):
    """Parameters of ``PUT /api/v2/pins/link``: ``code`` from a form, the query or a
    JSON body, where plex-api-client 0.35+ calls it ``pin``."""

    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=validate.Length(min=1))

    @pre_load
    def pin_is_code(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "code" not in data and "pin" in data:
            data = {**data, "code": data["pin"]}
        return data


def stripped(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``data`` with the text values of ``names`` stripped of spaces around them."""
    return {key: value.strip() if key in names and isinstance(value, str) else value
            for key, value in data.items()}


class AddHomeUserArgs(Schema):
    """Parameters of ``POST /api/home/users``: a managed user's ``title``
    (python-plexapi's ``createHomeUser``), or an existing account's ``invitedEmail``, a
    username or an email (its ``createExistingUser``). Neither is the view's 400."""

    class Meta:
        unknown = EXCLUDE

    title = fields.String(validate=SOME_TEXT, load_default=None)
    invited_email = fields.String(data_key="invitedEmail", validate=SOME_TEXT,
                                  load_default=None)

    @pre_load
    def strip(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return stripped(data, ("title", "invitedEmail"))


class SwitchArgs(Schema):
    """Parameters of ``POST /api/home/users/<id>/switch``: the member's PIN, if it has
    one (any text: a wrong one is plex.tv's 401, not a bad parameter)."""

    class Meta:
        unknown = EXCLUDE

    pin = fields.String(validate=TEXT, load_default=None)


# What the routes load and dump, one instance each.
CLIENT = ClientSchema()
CREATE_PIN_ARGS = CreatePinArgs()
LINK_ARGS = LinkArgs()
SIGN_IN_ARGS = SignInArgs()
ADD_HOME_USER_ARGS = AddHomeUserArgs()
SWITCH_ARGS = SwitchArgs()


class Invalid(MockplexError, ValueError):
    """Data a schema refused; the message names each field and its problem."""


def describe(error: ValidationError) -> str:
    """A validation error in one line: ``field: problem; field: problem``."""
    messages: dict[str, Any] = error.normalized_messages()  # type: ignore[no-untyped-call]
    return "; ".join(f"{field}: {problems}" for field, problems in messages.items())


def load(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """``schema.load(data)``; a refusal raises :class:`Invalid` saying why."""
    try:
        result: dict[str, Any] = schema.load(data)
    except ValidationError as error:
        raise Invalid(describe(error)) from error
    return result
