"""An OpenAPI document of mockplex itself, served at ``/_mockplex/openapi.json``: the
plex.tv routes and the control API, read from the app's routes (each view declares its
operations with :func:`mockplex.web.apidoc.documented`) and from the marshmallow schemas
by apispec, built when first asked for."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from flask import Flask, Response

from mockplex.domain.clock import WIRE_FORMAT
from mockplex.domain.paths import OPENAPI_PATH, is_control_path
from mockplex.web import render
from mockplex.web.apidoc import OPERATIONS, UNEMULATED
from mockplex.web.deferred import Deferred

if TYPE_CHECKING:
    from marshmallow import Schema, fields

    from mockplex.control import bodies, server_bodies
    from mockplex.plextv import arguments, servers_wire, wire
else:
    # the document is built when first asked for
    arguments = Deferred("mockplex.plextv.arguments")
    bodies = Deferred("mockplex.control.bodies")
    server_bodies = Deferred("mockplex.control.server_bodies")
    servers_wire = Deferred("mockplex.plextv.servers_wire")
    wire = Deferred("mockplex.plextv.wire")


def component_schemas() -> dict[str, type[Schema]]:
    """The named schemas, nested ones first: apispec names them when it meets them."""
    return {
        "GeoData": wire.GeoDataSchema, "Subscription": wire.SubscriptionSchema,
        "Profile": wire.ProfileSchema, "Error": wire.ErrorSchema,
        "Pin": wire.PinSchema, "User": wire.UserSchema, "Errors": wire.ErrorsSchema,
        "SignedInUser": wire.SignedInUserSchema, "SignInArgs": arguments.SignInArgs,
        "LegacySubscription": wire.LegacySubscriptionSchema,
        "LegacyRoles": wire.LegacyRolesSchema, "LegacyUser": wire.LegacyUserSchema,
        "LegacyAccount": wire.LegacyAccountSchema,
        "Connection": servers_wire.ConnectionSchema, "Resource": servers_wire.ResourceSchema,
        "ConnectionArgs": server_bodies.ConnectionArgs, "ItemArgs": server_bodies.ItemArgs,
        "LibraryArgs": server_bodies.LibraryArgs, "ServerArgs": server_bodies.ServerArgs,
        "Item": server_bodies.ItemSchema, "Library": server_bodies.LibrarySchema,
        "Server": server_bodies.ServerSchema,
        "ShareArgs": bodies.ShareArgs, "Share": bodies.ShareSchema,
        "JournalEntry": bodies.EntrySchema, "Fault": bodies.FaultSchema,
        "VerifyArgs": bodies.ApproveArgs,  # the route's word (POST .../verify), kept
        "CreateUserArgs": bodies.CreateUserArgs, "ClockArgs": bodies.ClockArgs,
        "AutoApproveArgs": bodies.AutoApproveArgs,
        "InviteArgs": bodies.InviteArgs, "Invite": bodies.InviteSchema,
    }


def wire_time(converter: Any, field: fields.Field[Any], **kwargs: Any) -> dict[str, Any]:
    """plex.tv's times (apispec leaves a custom DateTime format unnamed)."""
    from marshmallow import fields

    if isinstance(field, fields.DateTime) and field.format == WIRE_FORMAT:
        return {"format": "date-time", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}
    return {}


def documented_paths(app: Flask) -> dict[str, dict[str, Any]]:
    """The operations the app's views declare, by OpenAPI path (``/pins/{id}``), for the
    methods their routes take; the ``.json``/``.xml`` variants of a route are left out."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        operations = getattr(app.view_functions[rule.endpoint], OPERATIONS, None)
        if operations is None or "<any(" in rule.rule:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method, operation in operations.items():
            if method.upper() in (rule.methods or ()):
                if not is_control_path(path):  # plex.tv's shape for a method it lacks
                    operation = {**operation, "responses": {"405": UNEMULATED,
                                                            **operation["responses"]}}
                paths.setdefault(path, {})[method] = operation
    return paths


def build(version: str, app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.0 document of ``app``, as a dict (built when first asked for:
    apispec costs start-up nothing until then)."""
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
        rules = dict(getattr(schema.Meta, "rules", {}))
        component = spec.components.schemas[name]
        for field, overrides in rules.pop("properties", {}).items():  # what apispec can't say
            component["properties"][field] = {**component["properties"][field], **overrides}
        component.update(rules)
    for path, operations in documented_paths(app).items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def init_app(app: Flask) -> None:
    @app.get(OPENAPI_PATH)
    def openapi() -> Response:
        from mockplex import __version__

        document = app.extensions.get("mockplex.openapi")
        if document is None:  # once per app
            document = app.extensions["mockplex.openapi"] = build(__version__, app)
        return render.json_response(document)
