"""Scenario files: accounts, pins, servers and shares laid down before a test (or a server) starts.

A scenario is a JSON object (see README "Scenario files"), checked by
:class:`ScenarioSchema` in full before anything is applied; a bad one raises
:class:`ScenarioError` naming the file, the entry and the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from mockplex.control.bodies import CreateUserArgs, InviteArgs, ShareArgs
from mockplex.control.server_bodies import ServerArgs
from mockplex.domain import flags
from mockplex.domain.accounts import DEFAULT_ACCOUNT, AccountError
from mockplex.domain.autoapprove import AutoApprove
from mockplex.domain.clock import MAX_SPAN
from mockplex.domain.errors import MockplexError
from mockplex.domain.ids import ID_RANGE
from mockplex.domain.limits import XPLEX_VALUE_MAX
from mockplex.domain.pins import code_shape, is_code
from mockplex.domain.servers import ServerError
from mockplex.domain.store import Store, check_approver
from mockplex.plextv.arguments import SOME_TEXT, TEXT, Flag

STATES = ("pending", "approved", "expired")


class ScenarioError(MockplexError, ValueError):
    """A scenario that cannot be loaded; the message names where and why."""


class PinEntry(Schema):
    class Meta:
        unknown = RAISE

    client_identifier = fields.String(data_key="clientIdentifier", required=True,
                                      validate=validate.Length(min=1, max=XPLEX_VALUE_MAX))
    id = fields.Integer(strict=True, load_default=None,
                        validate=validate.Range(*ID_RANGE,
                                                error="must have 9 or 10 digits"))
    code = fields.String(load_default=None)
    product = fields.String(load_default="0", validate=validate.Length(max=XPLEX_VALUE_MAX))
    strong = Flag(flags.LENIENT_TRUE, flags.LENIENT_FALSE, load_default=False)
    state = fields.String(load_default="pending", validate=validate.OneOf(STATES))
    approved_by = fields.String(data_key="approvedBy", load_default=None, validate=TEXT)
    auth_token = fields.String(data_key="authToken", load_default=None, validate=SOME_TEXT)
    expires_in = fields.Integer(data_key="expiresIn", strict=True, load_default=None,
                                validate=validate.Range(min=1, max=MAX_SPAN))

    @validates_schema
    def consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        code, strong = data.get("code"), data.get("strong", False)
        if code is not None and not is_code(code, strong):
            raise ValidationError(f"must be {code_shape(strong)}", "code")
        approver = data.get("approved_by") is not None or data.get("auth_token") is not None
        if approver and data.get("state") != "approved":
            raise ValidationError("only an approved pin names approvedBy or authToken",
                                  "state")
        try:
            check_approver(data.get("auth_token"), data.get("approved_by"))
        except ValueError as error:
            raise ValidationError(str(error), "approvedBy") from None


class ScenarioSchema(Schema):
    class Meta:
        unknown = RAISE

    accounts = fields.List(fields.Nested(CreateUserArgs), load_default=list)
    pins = fields.List(fields.Nested(PinEntry), load_default=list)
    servers = fields.List(fields.Nested(ServerArgs), load_default=list)
    shares = fields.List(fields.Nested(ShareArgs), load_default=list)
    invites = fields.List(fields.Nested(InviteArgs), load_default=list)
    auto_approve = fields.String(data_key="autoApprove", load_default=None, validate=TEXT)

    @validates_schema
    def references(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("auto_approve"):
            try:
                AutoApprove.parse(data["auto_approve"])
            except ValueError as error:
                raise ValidationError(str(error), "autoApprove") from None
        usernames = {DEFAULT_ACCOUNT.username}
        for account in data.get("accounts", []):
            usernames.add(account["username"])
        for index, pin in enumerate(data.get("pins", [])):
            if pin["approved_by"] is not None and pin["approved_by"] not in usernames:
                raise ValidationError({index: {"approvedBy": [
                    f"no account {pin['approved_by']!r} (add it under accounts)"]}}, "pins")
        for index, server in enumerate(data.get("servers", [])):
            if server["owner"] is not None and server["owner"] not in usernames:
                raise ValidationError({index: {"owner": [
                    f"no account {server['owner']!r} (add it under accounts)"]}}, "servers")
        names = {server["name"] for server in data.get("servers", [])}
        for index, share in enumerate(data.get("shares", [])):
            for key, known, where in (("server", names, "servers"),
                                      ("user", usernames, "accounts")):
                if share[key] not in known:
                    raise ValidationError({index: {key: [
                        f"no {key} {share[key]!r} (add it under {where})"]}}, "shares")
        for index, invite in enumerate(data.get("invites", [])):
            if invite["server"] not in names:
                raise ValidationError({index: {"server": [
                    f"no server {invite['server']!r} (add it under servers)"]}}, "invites")


SCENARIO = ScenarioSchema()


def where(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested messages as ``pins[1].code: problem`` lines."""
    if isinstance(messages, list):
        return [f"{prefix}: {' '.join(map(str, messages))}"]
    lines = []
    for key, value in messages.items():
        if isinstance(key, int):
            name = f"{prefix}[{key}]"
        elif key == "_schema":
            name = prefix or "(the file)"
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        lines.extend(where(value, name))
    return lines


def read(source: str | Path | Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The scenario's name (its file) and its checked content."""
    if isinstance(source, Mapping):
        name, raw = "scenario", dict(source)
    else:
        name = str(source)
        try:
            raw = json.loads(Path(source).read_text())
        except OSError as error:
            raise ScenarioError(f"{name}: cannot read it: {error.strerror}") from None
        except ValueError as error:
            raise ScenarioError(f"{name}: not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{name}: a scenario is a JSON object with accounts, pins, "
                            "servers and shares")
    try:
        return name, SCENARIO.load(raw)
    except ValidationError as error:
        raise ScenarioError(f"{name}: " + "; ".join(where(error.messages))) from None


def apply(store: Store, name: str, scenario: Mapping[str, Any]) -> None:
    """Lay ``scenario`` down in ``store`` (which should be fresh)."""
    for index, account in enumerate(scenario["accounts"]):
        try:
            store.create_account(account["username"],
                                 **{k: v for k, v in account.items() if k != "username"})
        except (ValueError, AccountError) as error:
            raise ScenarioError(f"{name}: accounts[{index}]: {error}") from None
    for index, entry in enumerate(scenario["pins"]):
        try:
            pin = store.create_pin(entry["client_identifier"], product=entry["product"],
                                   strong=entry["strong"], pin_id=entry["id"],
                                   code=entry["code"], expires_in=entry["expires_in"])
        except ValueError as error:
            raise ScenarioError(f"{name}: pins[{index}]: {error}") from None
        if entry["state"] == "approved":
            store.approve(pin.id, entry["auth_token"], user=entry["approved_by"])
        elif entry["state"] == "expired":
            store.expire(pin.id)
    for index, server in enumerate(scenario["servers"]):
        fields_ = {k: v for k, v in server.items() if k not in ("name", "owner")}
        try:
            store.add_server(server["name"], server["owner"], **fields_)
        except (ValueError, AccountError, ServerError) as error:
            raise ScenarioError(f"{name}: servers[{index}]: {error}") from None
    for index, share in enumerate(scenario["shares"]):
        try:
            store.share(share["server"], share["user"], share["sections"])
        except (ValueError, AccountError, ServerError) as error:
            raise ScenarioError(f"{name}: shares[{index}]: {error}") from None
    for index, invite in enumerate(scenario["invites"]):
        try:
            store.invite(invite["server"], invite["user"], invite["sections"])
        except (ValueError, AccountError, ServerError) as error:
            raise ScenarioError(f"{name}: invites[{index}]: {error}") from None
    if scenario["auto_approve"]:
        store.auto_approve = AutoApprove.parse(scenario["auto_approve"])


def load(store: Store, source: str | Path | Mapping[str, Any], *, baseline: bool = False
         ) -> None:
    """Check ``source`` (a file or a mapping) and apply it to ``store``; with
    ``baseline``, also after every reset."""
    name, scenario = read(source)
    apply(store, name, scenario)
    if baseline:
        store.baseline = lambda fresh: apply(fresh, name, scenario)
