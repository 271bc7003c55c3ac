"""An OpenAPI document of mockplex itself, generated from its marshmallow schemas by
apispec, served at ``/_mockplex/openapi.json``: the plex.tv routes and the control API."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from flask import Flask, Response

from mockplex import render
from mockplex.clock import WIRE_FORMAT
from mockplex.deferred import Deferred
from mockplex.ids import ID_RANGE
from mockplex.paths import CONTROL_PREFIX

if TYPE_CHECKING:
    from marshmallow import Schema, fields

    from mockplex import schemas
else:
    schemas = Deferred("mockplex.schemas")  # the document is built when first asked for

JSON = "application/json"
XML = "application/xml"
NEGOTIATED = (JSON, XML)  # the plex.tv routes answer XML unless asked for JSON


def component_schemas() -> dict[str, type[Schema]]:
    """The named schemas, nested ones first: apispec names them when it meets them."""
    return {
        "GeoData": schemas.GeoDataSchema, "Subscription": schemas.SubscriptionSchema,
        "Profile": schemas.ProfileSchema, "Error": schemas.ErrorSchema,
        "Pin": schemas.PinSchema, "User": schemas.UserSchema, "Errors": schemas.ErrorsSchema,
        "JournalEntry": schemas.EntrySchema, "Fault": schemas.FaultSchema,
        "VerifyArgs": schemas.VerifyArgs,
        "CreateUserArgs": schemas.CreateUserArgs, "ClockArgs": schemas.ClockArgs,
        "AutoApproveArgs": schemas.AutoApproveArgs,
    }


def wire_time(converter: Any, field: fields.Field[Any], **kwargs: Any) -> dict[str, Any]:
    """plex.tv's times (apispec leaves a custom DateTime format unnamed)."""
    from marshmallow import fields

    if isinstance(field, fields.DateTime) and field.format == WIRE_FORMAT:
        return {"format": "date-time", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}
    return {}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def answer(description: str, schema: dict[str, Any] | None = None,
           media: tuple[str, ...] = (JSON,)) -> dict[str, Any]:
    if schema is None:
        return {"description": description}
    content: dict[str, Any] = {}
    for media_type in media:
        content[media_type] = {"schema": schema if media_type == JSON else {"type": "string"}}
    return {"description": description, "content": content}


def plex_error(description: str) -> dict[str, Any]:
    return answer(description, ref("Errors"), NEGOTIATED)


def control_error(description: str) -> dict[str, Any]:
    return answer(description, ref("Errors"))


def header(name: str, description: str) -> dict[str, Any]:
    return {"in": "header", "name": name, "required": False, "description": description,
            "schema": {"type": "string"}}


CLIENT_ID = {**header("X-Plex-Client-Identifier", "who asks (plex.tv answers 400 without it; "
                                                  "a query or form field will also do)"),
             "required": True, "schema": {"type": "string", "minLength": 1}}
PRODUCT = header("X-Plex-Product", "the app's name")
TOKEN = header("X-Plex-Token", "an account's token")
ACCEPT = header("Accept", "application/json for JSON; anything else gets XML")
PIN_ID_SCHEMA = {"type": "integer", "minimum": ID_RANGE[0], "maximum": ID_RANGE[1]}
PIN_ID = {"in": "path", "name": "id", "required": True, "schema": PIN_ID_SCHEMA}
UNEMULATED = plex_error("a path or method mockplex does not emulate")

PLEX_PATHS: dict[str, dict[str, Any]] = {
    "/api/v2/pins": {"post": {
        "summary": "Create a pin", "tags": ["plex.tv"],
        "parameters": [CLIENT_ID, PRODUCT, ACCEPT, {
            "in": "query", "name": "strong", "required": False,
            "schema": {"type": "string",
                       "enum": ["true", "True", "1", "false", "False", "0", ""]}}],
        "responses": {"201": answer("the pin", ref("Pin"), NEGOTIATED),
                      "400": plex_error("no client identifier (1000), or a bad parameter"),
                      "413": plex_error("a body over 1 MiB"),
                      "429": plex_error("as many live pins as the cap allows")}}},
    "/api/v2/pins/{id}": {"get": {
        "summary": "Poll a pin", "tags": ["plex.tv"],
        "parameters": [PIN_ID, CLIENT_ID, ACCEPT],
        "responses": {"200": answer("the pin; authToken once approved", ref("Pin"), NEGOTIATED),
                      "400": plex_error("no client identifier (1000)"),
                      "404": plex_error("unknown, expired or another client's pin (1020)")}}},
    "/api/v2/pins/qr/{code}": {"get": {
        "summary": "A QR code of the link page for a pin's code", "tags": ["plex.tv"],
        "parameters": [{"in": "path", "name": "code", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "a PNG image",
                              "content": {"image/png": {"schema": {"type": "string",
                                                                   "format": "binary"}}}},
                      "404": plex_error("no live pin has that code (1020)")}}},
    "/api/v2/pins/link": {"put": {
        "summary": "Approve a pin by its code, as the token's account", "tags": ["plex.tv"],
        "parameters": [TOKEN, ACCEPT],
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["code"],
                "properties": {"code": {"type": "string", "minLength": 1}}}}}},
        "responses": {"204": answer("approved"),
                      "400": plex_error("no code"),
                      "401": plex_error("a missing or unknown token (1001)"),
                      "404": plex_error("no live pin has that code (1020)"),
                      "422": answer("a revoked token", {"type": "string"}, (XML,))}}},
    "/api/v2/user": {"get": {
        "summary": "The account a token opens", "tags": ["plex.tv"],
        "parameters": [TOKEN, ACCEPT],
        "responses": {"200": answer("the account", ref("User"), NEGOTIATED),
                      "401": plex_error("a missing or unknown token (1001)"),
                      "422": answer("a revoked token", {"type": "string"}, (XML,))}}},
}


def control(summary: str, responses: dict[str, Any], body: str | None = None,
            parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "tags": ["control"],
                                 "responses": responses}
    if body:
        operation["requestBody"] = {"required": body not in OPTIONAL_BODIES,
                                    "content": {JSON: {"schema": ref(body)}}}
    if parameters:
        operation["parameters"] = parameters
    return operation


def array(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


OBJECT = {"type": "object"}
OPTIONAL_BODIES = {"VerifyArgs"}  # the others are required
BAD_BODY = control_error("a body that is not valid JSON or not of the schema")
NO_PIN = control_error("no live pin has that id")
RULE = answer("the rule in force", {"type": "object", "properties": {
    "autoApprove": {"type": "string", "nullable": True}}})

CONTROL_PATHS: dict[str, dict[str, Any]] = {
    "/health": {"get": control("Is it up?", {"200": answer("up", OBJECT)})},
    "/pins": {"get": control("The live pins", {"200": answer("the pins", array("Pin"))},
                             parameters=[{"in": "query", "name": "code", "required": False,
                                          "schema": {"type": "string"}}])},
    "/pins/{id}/verify": {"post": control(
        "Approve a pin", {"200": answer("the approved pin", ref("Pin")), "400": BAD_BODY,
                          "404": NO_PIN}, "VerifyArgs", [PIN_ID])},
    "/pins/{id}/expire": {"post": control(
        "Expire a pin", {"200": answer("the pin as it ended", ref("Pin")), "404": NO_PIN},
        parameters=[PIN_ID])},
    "/clock": {"post": control("Move the clock forward",
                               {"200": answer("the new now", OBJECT), "400": BAD_BODY},
                               "ClockArgs")},
    "/reset": {"post": control("Back to the start", {"200": answer("done", OBJECT)})},
    "/users": {
        "get": control("The accounts", {"200": answer("the accounts", array("User"))}),
        "post": control("Create an account", {
            "201": answer("the account", ref("User")), "400": BAD_BODY,
            "409": control_error("the username or token is taken")}, "CreateUserArgs")},
    "/tokens/{token}/revoke": {"post": control(
        "Revoke a token", {"200": answer("the token and its account", OBJECT),
                           "404": control_error("no account has that token")},
        parameters=[{"in": "path", "name": "token", "required": True,
                     "schema": {"type": "string"}}])},
    "/auto-approve": {
        "get": control("The auto-approve rule", {"200": RULE}),
        "put": control("Set the auto-approve rule", {"200": RULE, "400": BAD_BODY},
                       "AutoApproveArgs"),
        "delete": control("Turn auto-approval off", {"200": RULE})},
    "/requests": {
        "get": control("The request journal", {
            "200": answer("the entries", array("JournalEntry")),
            "400": control_error("a bad filter")}, parameters=[
            {"in": "query", "name": name, "required": False, "schema": schema}
            for name, schema in (("method", {"type": "string"}), ("path", {"type": "string"}),
                                 ("pin", PIN_ID_SCHEMA),
                                 ("unmatched", {"type": "string",
                                                "enum": ["0", "1", "true", "false"]}))]),
        "delete": control("Clear the journal", {"200": answer("how many", OBJECT)})},
    "/faults": {
        "get": control("The active faults", {"200": answer("the faults", array("Fault"))}),
        "post": control("Inject a fault", {"201": answer("the fault", ref("Fault")),
                                           "400": BAD_BODY}, "Fault"),
        "delete": control("Clear the faults", {"200": answer("none left", array("Fault"))})},
}


@functools.cache
def build(version: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document, as a dict (built once, when first asked for: it is the
    same for every app, and apispec costs start-up nothing until then)."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    plugin = MarshmallowPlugin()
    spec = APISpec(title="mockplex", version=version, openapi_version="3.0.3",
                   plugins=[plugin],
                   info={"description": "A fake plex.tv PIN login for tests: the plex.tv "
                                        "routes it emulates, and its control API."})
    assert plugin.converter is not None
    plugin.converter.add_attribute_function(wire_time)  # type: ignore[no-untyped-call]
    for name, schema in component_schemas().items():
        spec.components.schema(name, schema=schema)
    for name, schema in component_schemas().items():  # the cross-field rules, in JSON Schema
        spec.components.schemas[name].update(getattr(schema.Meta, "rules", {}))
    for path, operations in PLEX_PATHS.items():
        for operation in operations.values():
            operation["responses"].setdefault("405", UNEMULATED)
        spec.path(path=path, operations=operations)
    for path, operations in CONTROL_PATHS.items():
        spec.path(path=CONTROL_PREFIX + path, operations=operations)
    return spec.to_dict()


def init_app(app: Flask) -> None:
    @app.get(f"{CONTROL_PREFIX}/openapi.json")
    def openapi() -> Response:
        from mockplex import __version__

        return render.json_response(build(__version__))
