"""Plex Home: the managed users of an account's home, as python-plexapi
(``createHomeUser``, ``createExistingUser``, ``switchHomeUser``, ``removeHomeUser``) and
npm ``plex-api-credentials`` (a managed user's sign-in) call it.

These are plex.tv's older routes: XML only, whatever ``Accept`` says
(:func:`mockplex.web.render.suffix_only`). The model is
:mod:`mockplex.domain.accounts` (``home``, ``switch``, ``remove_home_user``); its errors
are answered by :mod:`mockplex.web.errors` (a wrong PIN: 401 / ``WRONG_PIN_CODE``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response

from mockplex.domain.accounts import Account, NotHomeAdmin
from mockplex.domain.ids import user_id_of
from mockplex.domain.limits import TEXT_MAX
from mockplex.plextv.request import caller, json_body, load, parameters
from mockplex.web import render
from mockplex.web.apidoc import SIGNED_OUT, TOKEN, XML_ONLY, documented, plex_error
from mockplex.web.context import base_url, store
from mockplex.web.deferred import Deferred
from mockplex.web.errors import WRONG_PIN_CODE, BadParameter

if TYPE_CHECKING:
    from mockplex.plextv import arguments, servers_wire, wire
else:
    arguments = Deferred("mockplex.plextv.arguments")
    servers_wire = Deferred("mockplex.plextv.servers_wire")
    wire = Deferred("mockplex.plextv.wire")

bp = Blueprint("home", __name__)

USER_ID = {"in": "path", "name": "user_id", "required": True,
           "schema": {"type": "integer", "minimum": 1}}
PIN = {"in": "query", "name": "pin", "required": False,
       "schema": {"type": "string", "pattern": "^[0-9]{4}$"},
       "description": "the home user's 4-digit PIN, if it has one"}
TITLE = {"in": "query", "name": "title", "required": False,
         "schema": {"type": "string", "minLength": 1, "maxLength": TEXT_MAX},
         "description": "a new managed user's name"}
INVITED = {"in": "query", "name": "invitedEmail", "required": False,
           "schema": {"type": "string", "minLength": 1, "maxLength": TEXT_MAX},
           "description": "or an existing account's username or email"}
NO_USER = plex_error("no member of the caller's home has that id (1002)")


def user_element(member: Account, admin: Account) -> Response:
    """One ``<User>`` as the root of a 201 answer."""
    return render.xml_response(
        render.flat_xml("User", servers_wire.home_user(member, admin, base_url())), 201)


@bp.get("/api/home/users")
@bp.get("/api/home/users/")
@documented(get={
    "summary": "The users of the caller's Plex Home, its owner first (XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN],
    "responses": {"200": XML_ONLY, **SIGNED_OUT}})
@render.suffix_only
def home_users() -> Response:
    account = caller()
    members = store().home(account)
    users = [servers_wire.home_user(member, members[0], base_url()) for member in members]
    return render.xml_response(servers_wire.myplex_container(members[0], "User", users, total=True))


@bp.post("/api/home/users")
@documented(post={
    "summary": "Create a managed user in the caller's Plex Home, or name an existing "
               "account (XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN, TITLE, INVITED],
    "responses": {"201": XML_ONLY,
                  "400": plex_error("no title (nor invitedEmail), a bad one, the caller "
                                    "itself, or the home is full (1000)"),
                  "403": plex_error("the caller is a managed user, not the home's owner"),
                  "404": plex_error("no account has that invitedEmail (1002)"),
                  **SIGNED_OUT}})
@render.suffix_only
def add_home_user() -> Response:
    account = caller()
    args = load(arguments.ADD_HOME_USER_ARGS, parameters(json_body()))
    if account.managed:
        raise NotHomeAdmin("only the owner of a home can add users")
    if args["title"] is not None:
        return user_element(store().create_home_user(account, args["title"]), account)
    if args["invited_email"] is not None:
        # createExistingUser names the account it shares with next: any it may share with
        return user_element(store().invitable(account, args["invited_email"]), account)
    raise BadParameter("title is required: the managed user's name (or invitedEmail: an "
                       "existing account's username or email)")


@bp.delete("/api/home/users/<user_id>")
@documented(delete={
    "summary": "Remove a managed user from the caller's Plex Home",
    "tags": ["plex.tv"], "parameters": [TOKEN, USER_ID],
    "responses": {"204": {"description": "removed"},
                  "400": plex_error("a bad id, or the home's owner itself (1000)"),
                  "403": plex_error("the caller is a managed user, not the home's owner"),
                  "404": NO_USER, **SIGNED_OUT}})
@render.suffix_only
def remove_home_user(user_id: str) -> Response:
    account = caller()
    store().remove_home_user(account, user_id_of(user_id))
    return Response(status=204)


@bp.post("/api/home/users/<user_id>/switch")
@documented(post={
    "summary": "Switch to a user of the caller's Plex Home: its token (XML only)",
    "tags": ["plex.tv"], "parameters": [TOKEN, USER_ID, PIN],
    "responses": {"201": XML_ONLY, "400": plex_error("a bad id (1000)"),
                  "401": plex_error(f"a wrong or missing PIN ({WRONG_PIN_CODE}), or a "
                                    "missing or unknown token (1001)"),
                  "404": NO_USER, "422": SIGNED_OUT["422"]}})
@render.suffix_only
def switch_home_user(user_id: str) -> Response:
    account = caller()
    pin = load(arguments.SWITCH_ARGS, parameters(json_body()))["pin"] or None
    member = store().switch_home_user(account, user_id_of(user_id), pin)
    data = wire.legacy_account_xml(member, base_url(), store().home(member))
    return render.xml_response(render.to_xml("user", data), 201)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
