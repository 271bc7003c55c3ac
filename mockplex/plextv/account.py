"""The plex.tv calls a sign-in makes around the PIN: the account behind a token, password
sign-in and sign-out, and ping (the servers an account sees: :mod:`mockplex.plextv.resources`).

Format rules are per route, as on plex.tv: the ``/api/v2`` routes negotiate JSON and
XML as the pins do; the older ones answer XML unless their path ends in ``.json``,
whatever ``Accept`` says (:func:`mockplex.web.render.suffix_only`); ``/api/resources`` and
``/api/users`` have no JSON at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from flask import Blueprint, Flask, Response, request

from mockplex.domain.accounts import Account
from mockplex.plextv.request import (
    caller,
    client,
    form,
    json_body,
    load,
    parameters,
    xplex_values,
)
from mockplex.web import render
from mockplex.web.apidoc import (
    ACCEPT,
    CLIENT_ID,
    NEGOTIATED,
    SIGNED_OUT,
    TOKEN,
    answer,
    documented,
    plex_error,
    ref,
)
from mockplex.web.context import base_url, store
from mockplex.web.deferred import Deferred

if TYPE_CHECKING:
    from mockplex.plextv import arguments, wire
else:
    arguments = Deferred("mockplex.plextv.arguments")
    wire = Deferred("mockplex.plextv.wire")

bp = Blueprint("account", __name__)


def legacy_account(account: Account, status: int = 200) -> Response:
    """``{"user": {...}}`` as JSON, or the XML ``<user>``."""
    home = store().home(account)
    if render.wants_json():
        return render.json_response(wire.dump_legacy_account(account, base_url(), home),
                                    status)
    data = wire.legacy_account_xml(account, base_url(), home)
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
    values = client()
    login, password = legacy_credentials()
    account = store().sign_in(login, password)
    store().record_client(account.auth_token, values["client_identifier"], xplex_values())
    return legacy_account(account, 201)


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
    values = client()
    args = load(arguments.SIGN_IN_ARGS, parameters(json_body()))
    account = store().sign_in(args["login"], args["password"], args["verification_code"])
    store().record_client(account.auth_token, values["client_identifier"], xplex_values())
    return render.respond(
        "user", wire.dump_signed_in_user(account, base_url(), store().home(account)), 201)


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


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
