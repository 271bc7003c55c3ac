"""The plex.tv calls a sign-in makes around the PIN: the account behind a token, password
sign-in and sign-out, ping, the servers an account sees and its friends.

Format rules are per route, as on plex.tv: the ``/api/v2`` routes negotiate JSON and
XML as the pins do; the older ones answer XML unless their path ends in ``.json``,
whatever ``Accept`` says (:func:`mockplex.render.suffix_only`); ``/api/resources`` and
``/api/users`` have no JSON at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from flask import Blueprint, Flask, Response, request

from mockplex import render
from mockplex.accounts import Account
from mockplex.apidoc import (
    ACCEPT,
    CLIENT_ID,
    NEGOTIATED,
    TOKEN,
    XML,
    answer,
    documented,
    plex_error,
    ref,
)
from mockplex.context import base_url, store
from mockplex.deferred import Deferred
from mockplex.plextv import caller, client, form, json_body, load, parameters

if TYPE_CHECKING:
    from mockplex import schemas
else:
    schemas = Deferred("mockplex.schemas")

bp = Blueprint("account", __name__)

NO_TOKEN = plex_error("a missing or unknown token (1001)")
REVOKED = answer("a revoked or signed-out token", {"type": "string"}, (XML,))
XML_ONLY = {"description": "XML", "content": {XML: {"schema": {"type": "string"}}}}
FILTERS = [{"in": "query", "name": name, "required": False,
            "schema": {"type": "string", "enum": ["0", "1"]}}
           for name in ("includeHttps", "includeRelay", "includeIPv6")]
SIGNED_OUT = {"401": NO_TOKEN, "422": REVOKED}


def legacy_account(account: Account, status: int = 200) -> Response:
    """``{"user": {...}}`` as JSON, or the XML ``<user>``."""
    if render.wants_json():
        return render.json_response(schemas.dump_legacy_account(account, base_url()), status)
    data = schemas.legacy_account_xml(account, base_url())
    return render.xml_response(render.to_xml("user", data), status)


@bp.get("/users/account", defaults={"fmt": None})
@bp.get("/users/account.<any(json, xml):fmt>")
@documented(get={
    "summary": "The account a token opens (the older route)", "tags": ["plex.tv"],
    "parameters": [TOKEN],
    "responses": {"200": answer("the account: JSON with .json, else XML",
                                ref("LegacyAccount"), NEGOTIATED),
                  **SIGNED_OUT}})
@render.suffix_only
def users_account(fmt: str | None) -> Response:
    return legacy_account(caller())


def legacy_credentials() -> tuple[str, str]:
    """The login and password of an older sign-in: HTTP basic auth, or ``user[login]``
    and ``user[password]`` in a form, or ``{"user": {"login", "password"}}`` as JSON."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        return auth.username or "", auth.password or ""
    values: dict[str, Any] = {key.removeprefix("user[").removesuffix("]"): value
                              for key, value in form().items() if key.startswith("user[")}
    nested = json_body().get("user")
    if isinstance(nested, dict):
        values.update(nested)
    login, password = values.get("login", values.get("email")), values.get("password")
    if not isinstance(login, str) or not isinstance(password, str):
        return "", ""  # no credentials: plex.tv's 401, as for wrong ones
    return login, password


@bp.post("/users/sign_in", defaults={"fmt": None})
@bp.post("/users/sign_in.<any(json, xml):fmt>")
@documented(post={
    "summary": "Password sign-in (the older route: basic auth, a form or JSON)",
    "tags": ["plex.tv"], "parameters": [CLIENT_ID],
    "responses": {"201": answer("the account: JSON with .json, else XML",
                                ref("LegacyAccount"), NEGOTIATED),
                  "400": plex_error("no client identifier (1000)"),
                  "401": plex_error("no, or a wrong, login or password (1001), or a missing "
                                    "verification code (1029)")}})
@render.suffix_only
def legacy_sign_in(fmt: str | None) -> Response:
    client()
    login, password = legacy_credentials()
    return legacy_account(store().sign_in(login, password), 201)


@bp.post("/api/v2/users/signin", defaults={"fmt": None})
@bp.post("/api/v2/users/signin.<any(json, xml):fmt>")
@documented(post={
    "summary": "Password sign-in", "tags": ["plex.tv"], "parameters": [CLIENT_ID, ACCEPT],
    "requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": ref("SignInArgs")}}},
    "responses": {"201": answer("the account, with its token", ref("SignedInUser"),
                                NEGOTIATED),
                  "400": plex_error("no client identifier, or no login or password (1000)"),
                  "401": plex_error("a wrong login or password (1001), or a missing "
                                    "verification code (1029)")}})
def sign_in(fmt: str | None) -> Response:
    client()
    args = load(schemas.SIGN_IN_ARGS, parameters(json_body()))
    account = store().sign_in(args["login"], args["password"], args["verification_code"])
    return render.respond("user", schemas.dump_signed_in_user(account, base_url()), 201)


@bp.delete("/api/v2/users/signout")
@documented(delete={
    "summary": "Sign out: the token stops working", "tags": ["plex.tv"],
    "parameters": [TOKEN], "responses": {"204": answer("signed out"), **SIGNED_OUT}})
def sign_out() -> Response:
    account = caller()
    store().revoke(account.auth_token)
    return Response(status=204)


@bp.get("/api/v2/ping", defaults={"fmt": None})
@bp.get("/api/v2/ping.<any(json, xml):fmt>")
@documented(get={
    "summary": "Is the token good?", "tags": ["plex.tv"], "parameters": [TOKEN, ACCEPT],
    "responses": {"200": answer("pong", {"type": "object", "required": ["pong"],
                                         "properties": {"pong": {"type": "boolean"}}},
                                NEGOTIATED),
                  **SIGNED_OUT}})
def ping(fmt: str | None) -> Response:
    caller()
    if render.wants_json():
        return render.json_response({"pong": True})
    element = ElementTree.Element("pong")
    element.text = "true"
    return render.xml_response(element)


def flag(name: str) -> bool:
    return request.args.get(name, "0").lower() in ("1", "true")


def visible_resources(account: Account) -> list[dict[str, Any]]:
    """The servers ``account`` sees, as :func:`mockplex.schemas.resource_values`, with
    the connections the request's ``includeHttps`` and ``includeRelay`` let through
    (``includeIPv6`` changes nothing: the mock's connections are IPv4 or names)."""
    now = store().clock.now()
    https, relay = flag("includeHttps"), flag("includeRelay")
    entries = []
    for server, share in store().resources(account):
        owner = account if share is None else store().account(server.owner)
        entry = schemas.resource_values(server, share, owner, now)
        entry["connections"] = [
            c for c in entry["connections"]
            if (https or c["protocol"] != "https") and (relay or not c["relay"])]
        entries.append(entry)
    return entries


@bp.get("/api/v2/resources", defaults={"fmt": None})
@bp.get("/api/v2/resources.<any(json, xml):fmt>")
@documented(get={
    "summary": "The servers a token's account owns, and those shared with it",
    "tags": ["plex.tv"], "parameters": [TOKEN, ACCEPT, *FILTERS],
    "responses": {"200": answer("the resources", {"type": "array", "items": ref("Resource")},
                                NEGOTIATED),
                  **SIGNED_OUT}})
def resources(fmt: str | None) -> Response:
    dumped = schemas.dump_resources(visible_resources(caller()))
    if render.wants_json():
        return render.json_response(dumped)
    root = ElementTree.Element("resources", size=str(len(dumped)))
    root.extend(render.to_xml("resource", item) for item in dumped)
    return render.xml_response(root)


@bp.get("/api/resources")
@documented(get={
    "summary": "The servers a token's account sees (the older route, XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN, *FILTERS],
    "responses": {"200": XML_ONLY, **SIGNED_OUT}})
@render.suffix_only
def legacy_resources() -> Response:
    devices = [schemas.dump_device(entry) for entry in visible_resources(caller())]
    root = render.flat_xml("MediaContainer", {"size": len(devices)})
    root.extend(render.flat_xml("Device", device) for device in devices)
    return render.xml_response(root)


@bp.get("/api/users")
@bp.get("/api/users/")
@documented(get={
    "summary": "The accounts a token's account shares servers with (XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN],
    "responses": {"200": XML_ONLY, **SIGNED_OUT}})
@render.suffix_only
def friends() -> Response:
    account = caller()
    now = store().clock.now()
    users = [schemas.dump_friend(friend, shared, account.username, now, base_url())
             for friend, shared in store().friends(account)]
    root = render.flat_xml("MediaContainer", {
        "friendlyName": "myPlex", "identifier": "com.plexapp.plugins.myplex",
        "machineIdentifier": account.uuid, "totalSize": len(users), "size": len(users)})
    root.extend(render.flat_xml("User", user) for user in users)
    return render.xml_response(root)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
