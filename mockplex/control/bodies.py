"""The control API's bodies: what ``/_mockplex`` reads (and lists) as JSON, strict (an
unknown key is an error), and what a scenario file's entries are checked with; a
server's, with its connections and libraries, are :mod:`.server_bodies`'.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from mockplex.domain.autoapprove import AutoApprove
from mockplex.domain.clock import MAX_SPAN
from mockplex.domain.faults import MAX_DELAY_MS, MAX_HEADERS, Fault
from mockplex.domain.limits import LIBRARIES_MAX
from mockplex.domain.store import check_approver
from mockplex.plextv.arguments import SOME_TEXT, TEXT, JSONBoolean, JSONNumber


def held_to(rule: Callable[..., object], *args: Any, field: str | None = None,
            **kwargs: Any) -> None:
    """A body held to a rule that lives in the domain (it raises ValueError saying why):
    its refusal becomes the schema's, so the answer names it as any bad field is named
    (``field``: the one field the rule is about; None: the body as a whole)."""
    try:
        rule(*args, **kwargs)
    except ValueError as error:
        if field is None:
            raise ValidationError(str(error)) from None
        raise ValidationError(str(error), field) from None


class ApproveArgs(Schema):
    """Body of ``POST /_mockplex/pins/<id>/verify``, which approves a pin (its OpenAPI
    component keeps the route's word: ``VerifyArgs``)."""

    class Meta:
        unknown = RAISE
        #: The cross-field rule below, in JSON Schema, for the OpenAPI document.
        rules: ClassVar = {"not": {"required": ["authToken", "user"],
                                   "properties": {"authToken": {"type": "string"},
                                                  "user": {"type": "string"}}}}

    auth_token = fields.String(data_key="authToken", load_default=None, validate=SOME_TEXT)
    user = fields.String(load_default=None, validate=SOME_TEXT)

    @validates_schema
    def one_approver(self, data: dict[str, Any], **kwargs: Any) -> None:
        """The rule lives with the store (mockplex.domain.store.check_approver)."""
        held_to(check_approver, data.get("auth_token"), data.get("user"))


#: Something on each side of one @: enough for a fake account (and a pattern that means
#: the same to Python and to JSON Schema's regular expressions).
EMAIL = validate.Regexp(r"^[^@]+@[^@]+$", error="Not an email address (name@domain).")


class CreateUserArgs(Schema):
    """An account to create: the body of ``POST /_mockplex/users``, and an entry of a
    scenario file's ``accounts``."""

    class Meta:
        unknown = RAISE
        #: The cross-field rule below, in JSON Schema, for the OpenAPI document.
        rules: ClassVar = {"allOf": [
            {"anyOf": [
                {"not": {"required": ["verificationCode"]}},
                {"properties": {"verificationCode": {"enum": [None]}}},
                {"required": ["password"], "properties": {"password": {"type": "string"}}}]},
            {"anyOf": [  # only a managed user is restricted
                {"not": {"required": ["restricted"]}},
                {"properties": {"restricted": {"enum": [False]}}},
                {"required": ["homeOf"], "properties": {"homeOf": {"type": "string"}}}]},
            {"anyOf": [  # a managed user has no password, email or two-factor code
                {"not": {"required": ["homeOf"]}},
                {"properties": {"homeOf": {"enum": [None]}}},
                {"allOf": [{"anyOf": [{"not": {"required": [name]}},
                                      {"properties": {name: {"enum": [None]}}}]}
                           for name in ("password", "email", "verificationCode")]}]}]}

    username = fields.String(required=True, validate=SOME_TEXT)
    email = fields.String(load_default=None, validate=[TEXT, EMAIL])
    title = fields.String(load_default=None, validate=SOME_TEXT)
    friendly_name = fields.String(data_key="friendlyName", load_default=None, validate=TEXT)
    auth_token = fields.String(data_key="authToken", load_default=None, validate=SOME_TEXT)
    password = fields.String(load_default=None, validate=SOME_TEXT)
    verification_code = fields.String(data_key="verificationCode", load_default=None,
                                      validate=SOME_TEXT)
    #: A managed user of this account's Plex Home (no password, no email).
    home_of = fields.String(data_key="homeOf", load_default=None, validate=SOME_TEXT)
    restricted = JSONBoolean(load_default=False)
    #: The 4 digits switching to this home user asks for.
    pin = fields.String(load_default=None, validate=validate.Regexp(
        r"^[0-9]{4}$", error="A home PIN is 4 digits."))

    @validates_schema
    def code_needs_password(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("verification_code") and not data.get("password"):
            raise ValidationError("two-factor sign-in needs a password", "verificationCode")

    @validates_schema
    def restricted_needs_a_home(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("restricted") and not data.get("home_of"):
            raise ValidationError("only a managed user (homeOf) is restricted", "restricted")
        for name, key in (("password", "password"), ("email", "email"),
                          ("verification_code", "verificationCode")):
            if data.get("home_of") and data.get(name) is not None:
                raise ValidationError("a managed user (homeOf) has none", key)


class ShareArgs(Schema):
    """Body of ``POST /_mockplex/shares``, and an entry of a scenario file's ``shares``."""

    class Meta:
        unknown = RAISE

    server = fields.String(required=True, validate=SOME_TEXT)
    user = fields.String(required=True, validate=SOME_TEXT)
    #: The keys of the libraries shared; none: all of them.
    sections = fields.List(fields.Integer(strict=True), load_default=list,
                           validate=validate.Length(max=LIBRARIES_MAX))


class ShareSchema(ShareArgs):
    """A share as the control API lists it."""

    id = fields.Integer()
    access_token = fields.String(data_key="accessToken")
    created_at = fields.Float(data_key="createdAt")


class InviteArgs(ShareArgs):
    """Body of ``POST /_mockplex/invites``, and an entry of a scenario file's ``invites``:
    the server's owner invites account ``user`` (a username or an email)."""


class InviteSchema(InviteArgs):
    """A pending invite as the control API lists it."""

    id = fields.Integer()
    owner = fields.String()
    created_at = fields.Float(data_key="createdAt")
    sections = fields.List(fields.Integer())


class AutoApproveArgs(Schema):
    """Body of ``PUT /_mockplex/auto-approve``: one of the two rules."""

    class Meta:
        unknown = RAISE
        rules: ClassVar = {"oneOf": [{"required": ["afterPolls"]},
                                     {"required": ["afterSeconds"]}]}

    after_polls = fields.Integer(data_key="afterPolls", strict=True,
                                 validate=validate.Range(min=0))
    after_seconds = JSONNumber(data_key="afterSeconds", allow_nan=False,
                                 validate=validate.Range(min=0, max=MAX_SPAN))

    @validates_schema
    def one_rule(self, data: dict[str, Any], **kwargs: Any) -> None:
        """The rule lives with the rule (mockplex.domain.autoapprove.AutoApprove)."""
        held_to(AutoApprove, **data)


class FaultSchema(Schema):
    """A fault: the body of ``POST /_mockplex/faults``, and as the control API lists it."""

    class Meta:
        unknown = RAISE
        rules: ClassVar = {
            "description": "headers: names are HTTP tokens other than the framing headers "
                           "(Content-Length, Transfer-Encoding, Connection, ...), values "
                           f"printable ASCII; at most {MAX_HEADERS} of them.",
            "anyOf": [{"required": ["status"], "properties": {"status": {"type": "integer"}}},
                      {"required": ["drop"], "properties": {"drop": {"enum": [True]}}},
                      {"required": ["delay_ms"], "properties": {"delay_ms": {"minimum": 1}}}],
            "not": {"required": ["status", "drop"],
                    "properties": {"status": {"type": "integer"}, "drop": {"enum": [True]}}}}

    method = fields.String(load_default="*", validate=TEXT)
    path = fields.String(load_default="*", validate=TEXT)
    status = fields.Integer(strict=True, load_default=None, allow_none=True,
                            validate=validate.Range(400, 599))
    headers = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    times = fields.Integer(strict=True, load_default=None, allow_none=True,
                           validate=validate.Range(min=1))
    delay_ms = fields.Integer(strict=True, load_default=0,
                              validate=validate.Range(0, MAX_DELAY_MS))
    drop = JSONBoolean(load_default=False)
    message = fields.String(load_default=None, allow_none=True)
    server = fields.String(load_default=None, allow_none=True, validate=SOME_TEXT, metadata={
        "description": "A server's name, or \"*\" for every live server: the fault meets "
                       "that server's requests. Absent or null: plex.tv's."})

    @validates_schema
    def makes_a_fault(self, data: dict[str, Any], **kwargs: Any) -> None:
        """The rules of a fault live with the fault (mockplex.domain.faults.Fault)."""
        held_to(Fault, **data)


class EntrySchema(Schema):
    """A journal entry as ``GET /_mockplex/requests`` lists it."""

    time = fields.Method("wire_time", metadata={"type": "string", "format": "date-time"})
    method = fields.String()
    path = fields.String()
    query = fields.Dict(keys=fields.String(), values=fields.String())
    xplex = fields.Dict(data_key="xPlex", keys=fields.String(), values=fields.String())
    body = fields.String()
    status = fields.Integer(allow_none=True)
    pin_id = fields.Integer(data_key="pinId", allow_none=True)
    matched = fields.Boolean()
    fault = fields.Boolean()
    cut = fields.Boolean()
    server = fields.String(metadata={
        "description": "The name of the live server that was asked; \"\" for plex.tv's "
                       "side."})

    def wire_time(self, entry: Any) -> str:
        return datetime.fromtimestamp(entry.time, UTC).isoformat(timespec="milliseconds")


class ClockArgs(Schema):
    """Body of ``POST /_mockplex/clock``."""

    class Meta:
        unknown = RAISE

    advance = JSONNumber(required=True, allow_nan=False,
                           validate=validate.Range(min=0, max=MAX_SPAN))


APPROVE_ARGS = ApproveArgs()
CREATE_USER_ARGS = CreateUserArgs()
AUTO_APPROVE_ARGS = AutoApproveArgs()
FAULT = FaultSchema()
FAULTS = FaultSchema(many=True)
ENTRIES = EntrySchema(many=True)
CLOCK_ARGS = ClockArgs()
SHARE_ARGS = ShareArgs()
SHARES = ShareSchema(many=True)
INVITE_ARGS = InviteArgs()
INVITES = InviteSchema(many=True)

#: Names these bodies had before mockplex said "approve" everywhere -> their names now.
RENAMED = {"VerifyArgs": "ApproveArgs", "VERIFY_ARGS": "APPROVE_ARGS"}


def __getattr__(name: str) -> Any:
    """An old name (:data:`RENAMED`): its new one's value, with a DeprecationWarning."""
    new = RENAMED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"{__name__}.{name} is now {new} (see CHANGELOG.md, 0.8.0); the old "
                  "name goes in 1.0", DeprecationWarning, stacklevel=2)
    return globals()[new]
