"""The test-control API under ``/_mockplex``: the store's operations over HTTP.

Every answer is JSON. A bad call gets a 4xx in plex.tv's error shape whose
message names the problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, request

from mockplex.domain import flags
from mockplex.domain.accounts import Account
from mockplex.domain.autoapprove import AutoApprove
from mockplex.domain.clock import format_wire
from mockplex.domain.errors import MockplexError
from mockplex.domain.faults import Fault
from mockplex.domain.ids import pin_id_of
from mockplex.domain.limits import LIVE_SERVERS_MAX
from mockplex.domain.paths import CONTROL_PREFIX
from mockplex.domain.pins import Pin, is_code
from mockplex.domain.servers import Server, Share
from mockplex.domain.text import shown
from mockplex.web import render
from mockplex.web.apidoc import (
    BAD_BODY,
    NO_PIN,
    OBJECT,
    PIN_ID,
    PIN_ID_SCHEMA,
    RULE,
    answer,
    array,
    control,
    control_error,
    documented,
    ref,
)
from mockplex.web.context import base_url, store
from mockplex.web.deferred import Deferred
from mockplex.web.errors import ControlError

if TYPE_CHECKING:
    from marshmallow import Schema

    from mockplex.control import bodies, server_bodies
    from mockplex.plextv import arguments, wire
else:
    # loaded by the first call, not at start-up
    arguments = Deferred("mockplex.plextv.arguments")
    bodies = Deferred("mockplex.control.bodies")
    server_bodies = Deferred("mockplex.control.server_bodies")
    wire = Deferred("mockplex.plextv.wire")

bp = Blueprint("control", __name__, url_prefix=CONTROL_PREFIX)

def body(schema: Schema) -> dict[str, Any]:
    """The JSON body loaded through ``schema`` (an empty body counts as ``{}``)."""
    raw = request.get_data(as_text=False)
    try:
        data = render.loads(raw) if raw.strip() else {}
    except ValueError as error:
        raise ControlError(f"The body of {request.method} {request.path} is not valid "
                           f"JSON: {error}") from error
    if not isinstance(data, dict):
        raise ControlError(f"The body of {request.method} {request.path} must be a JSON "
                           f"object, got {type(data).__name__}")
    try:
        return arguments.load(schema, data)
    except arguments.Invalid as error:
        raise ControlError(f"Invalid body for {request.method} {request.path}: "
                           f"{error}") from error


class NotAPinId(MockplexError, ValueError):
    """A pin id that is none (a pin's code, say), given to :class:`mockplex.MockPlex`;
    the message says what a pin id is, and for a code how to find its pin."""


def not_a_pin_id(text: str) -> str:
    """Why ``text`` is no pin's id, and the fix: the one message for the control API's
    404 and :class:`NotAPinId`."""
    message = (f"No live pin has the id {shown(text)} (a pin id is 9-10 digits, as "
               "written: no leading zero)")
    if is_code(text, strong=False) or is_code(text, strong=True):  # letters and digits only
        message += (f"; {shown(text)} is shaped as a pin's code, not its id: find the pin "
                    f"by its code with GET {CONTROL_PREFIX}/pins?code={text} (the answer "
                    f"lists it with its id), or from Python with the handle's "
                    f"pin_for_code({text!r}).id")
    return message


def parse_pin_id(text: str) -> int:
    """``text`` as a pin id, as written (:func:`mockplex.domain.ids.pin_id_of`), else
    :class:`NotAPinId`."""
    number = pin_id_of(text)
    if number is None:
        raise NotAPinId(not_a_pin_id(text))
    return number


def pin_id(text: str) -> int:
    """A route's ``<id>``: anything but a pin id is a 404 saying why."""
    try:
        return parse_pin_id(text)
    except NotAPinId as error:
        raise ControlError(str(error), status=404) from None


def pin_json(pin: Pin) -> dict[str, Any]:
    return wire.dump_pin(pin, store().clock.now(), base_url())


@bp.get("/health")
@documented(get=control("Is it up?", {"200": answer("up", OBJECT)}))
def health() -> Response:
    return render.json_response({"status": "ok"})


@bp.get("/pins")
@documented(get=control("The live pins", {"200": answer("the pins", array("Pin"))},
                         parameters=[{"in": "query", "name": "code", "required": False,
                                      "schema": {"type": "string"}}]))
def pins() -> Response:
    """The live pins; ``?code=`` narrows them to the one with that code."""
    code = request.args.get("code")
    found = [pin for pin in store().pins() if code is None or pin.code == code]
    return render.json_response([pin_json(pin) for pin in found])


@bp.post("/pins/<id>/verify")  # the public route keeps its word; mockplex says approve
@documented(post=control("Approve a pin", {"200": answer("the approved pin", ref("Pin")),
                                          "400": BAD_BODY, "404": NO_PIN},
                          "VerifyArgs", [PIN_ID]))
def approve(id: str) -> Response:
    args = body(bodies.APPROVE_ARGS)
    pin = store().approve(pin_id(id), args["auth_token"], user=args["user"])
    return render.json_response(pin_json(pin))


@bp.post("/pins/<id>/expire")
@documented(post=control("Expire a pin", {"200": answer("the pin as it ended", ref("Pin")),
                                         "404": NO_PIN}, parameters=[PIN_ID]))
def expire(id: str) -> Response:
    return render.json_response(pin_json(store().expire(pin_id(id))))


@bp.get("/users")
@documented(get=control("The accounts", {"200": answer("the accounts", array("User"))}))
def users() -> Response:
    return render.json_response([user_json(account) for account in store().accounts()])


def user_json(account: Account) -> dict[str, Any]:
    """An account as ``/api/v2/user`` gives it (its home's fields included); a managed
    user's with ``homeOf`` too, its home's owner, for the dashboard."""
    data = wire.dump_user(account, base_url(), store().home(account))
    if account.home_of is not None:
        data["homeOf"] = account.home_of
    return data


@bp.post("/users")
@documented(post=control("Create an account", {
    "201": answer("the account", ref("User")), "400": BAD_BODY,
    "404": control_error("no account is homeOf"),
    "409": control_error("the username or token is taken")}, "CreateUserArgs"))
def create_user() -> Response:
    args = body(bodies.CREATE_USER_ARGS)
    try:
        account = store().create_account(args.pop("username"), **args)
    except ValueError as error:  # a managed user's: a password or email, a managed owner
        raise ControlError(str(error)) from error
    return render.json_response(user_json(account), 201)


@bp.post("/tokens/<token>/revoke")
@documented(post=control(
    "Revoke a token", {"200": answer("the token and its account", OBJECT),
                       "404": control_error("no account has that token")},
    parameters=[{"in": "path", "name": "token", "required": True,
                 "schema": {"type": "string"}}]))
def revoke(token: str) -> Response:
    account = store().revoke(token)
    return render.json_response({"revoked": token, "user": user_json(account)})


def server_json(server: Server) -> dict[str, Any]:
    """``server`` as the control API lists it: with its port and its connections now."""
    return server_bodies.listed(server, store().port_of(server), store().connections(server))


@bp.get("/servers")
@documented(get=control("The servers", {"200": answer("the servers", array("Server"))}))
def servers() -> Response:
    return render.json_response([server_json(server) for server in store().servers()])


@bp.post("/servers")
@documented(post=control("Add a server", {
    "201": answer("the server", ref("Server")),
    "400": control_error(f"a bad body, or {LIVE_SERVERS_MAX} live servers already "
                         "(LIVE_SERVERS_MAX)"),
    "404": control_error("no account is the owner"),
    "409": control_error("the name or machine identifier is taken")}, "ServerArgs"))
def add_server() -> Response:
    args = body(server_bodies.SERVER_ARGS)
    try:
        server = store().add_server(args.pop("name"), args.pop("owner"), **args)
    except ValueError as error:  # what the body cannot say: one live server too many
        raise ControlError(str(error)) from error
    return render.json_response(server_json(server), 201)


@bp.get("/shares")
@documented(get=control("The shares", {"200": answer("the shares", array("Share"))}))
def shares() -> Response:
    return render.json_response(bodies.SHARES.dump(store().shares()))


@bp.post("/shares")
@documented(post=control("Share a server with an account", {
    "201": answer("the share, with the friend's access token", ref("Share")),
    "400": BAD_BODY, "404": control_error("no such server or account"),
    "409": control_error("shared already")}, "ShareArgs"))
def add_share() -> Response:
    args = body(bodies.SHARE_ARGS)
    try:
        share = store().share(args["server"], args["user"], args["sections"])
    except ValueError as error:  # a library the server has not
        raise ControlError(str(error)) from error
    return render.json_response(bodies.SHARES.dump([share])[0], 201)


@bp.get("/invites")
@documented(get=control("The pending invites", {
    "200": answer("the invites, oldest first", array("Invite"))}))
def invites() -> Response:
    return render.json_response(bodies.INVITES.dump(store().invites()))


@bp.post("/invites")
@documented(post=control("Invite an account to a server, as the server's owner", {
    "201": answer("the invite, pending until the account accepts it; for a managed user "
                  "of the owner's own home (it has no sign-in to accept with), the share "
                  "made at once", {"oneOf": [ref("Invite"), ref("Share")]}),
    "400": control_error("a bad body, the server's owner itself, another home's managed "
                         "user, or a library the server has not"),
    "404": control_error("no such server or account"),
    "409": control_error("invited or shared already"),
    "429": control_error("the pending invites are at their cap (INVITES_MAX)")},
    "InviteArgs"))
def add_invite() -> Response:
    args = body(bodies.INVITE_ARGS)
    try:
        made = store().invite(args["server"], args["user"], args["sections"])
    except ValueError as error:  # a library the server has not
        raise ControlError(str(error)) from error
    dumped = bodies.SHARES if isinstance(made, Share) else bodies.INVITES
    return render.json_response(dumped.dump([made])[0], 201)


def auto_approve_json() -> Response:
    rule = store().auto_approve
    return render.json_response({"autoApprove": str(rule) if rule else None})


@bp.get("/auto-approve")
@documented(get=control("The auto-approve rule", {"200": RULE}))
def get_auto_approve() -> Response:
    return auto_approve_json()


@bp.put("/auto-approve")
@documented(put=control("Set the auto-approve rule", {"200": RULE, "400": BAD_BODY},
                         "AutoApproveArgs"))
def set_auto_approve() -> Response:
    store().auto_approve = AutoApprove(**body(bodies.AUTO_APPROVE_ARGS))
    return auto_approve_json()


@bp.delete("/auto-approve")
@documented(delete=control("Turn auto-approval off", {"200": RULE}))
def stop_auto_approve() -> Response:
    store().auto_approve = None
    return auto_approve_json()


#: ``?unmatched=``'s spellings, for the OpenAPI document.
UNMATCHED = sorted([*flags.QUERY_TRUE, *flags.QUERY_FALSE],
                   key=lambda spelling: (len(spelling), spelling))  # 0, 1, true, false
#: What ``?server=`` narrows the journal to.
SERVER_FILTER = ("The requests of the live server of this name (an entry's server); empty "
                 "(?server=): those of plex.tv's side.")


@bp.get("/requests")
@documented(get=control("The request journal", {
    "200": answer("the entries", array("JournalEntry")),
    "400": control_error("a bad filter")}, parameters=[
    *({"in": "query", "name": name, "required": False, "schema": schema}
      for name, schema in (("method", {"type": "string"}), ("path", {"type": "string"}),
                           ("pin", PIN_ID_SCHEMA),
                           ("unmatched", {"type": "string", "enum": UNMATCHED}))),
    {"in": "query", "name": "server", "required": False, "schema": {"type": "string"},
     "description": SERVER_FILTER}]))
def requests_() -> Response:
    """The journal, oldest first; ``?method=``, ``?path=`` (a glob), ``?pin=``,
    ``?unmatched=1``, ``?server=`` (a live server's name; empty: plex.tv's side)."""
    args = request.args
    pin = args.get("pin")
    pin_number = pin_id_of(pin) if pin is not None else None
    if pin is not None and pin_number is None:
        raise ControlError(f"pin is a pin id (9-10 digits), got {shown(pin)}")
    unmatched = args.get("unmatched")
    only_unmatched = None
    if unmatched is not None:
        try:
            only_unmatched = flags.parse(unmatched, flags.QUERY_TRUE, flags.QUERY_FALSE)
        except flags.NotAFlag:
            raise ControlError(f"unmatched is 1 or 0, got {shown(unmatched)}") from None
    entries = store().journal.entries(
        method=args.get("method"), path=args.get("path"),
        pin_id=pin_number, unmatched=only_unmatched, server=args.get("server"))
    return render.json_response(bodies.ENTRIES.dump(entries))


@bp.delete("/requests")
@documented(delete=control("Clear the journal", {"200": answer("how many", OBJECT)}))
def clear_requests() -> Response:
    cleared = len(store().journal)
    store().journal.clear()
    return render.json_response({"cleared": cleared})


@bp.get("/faults")
@documented(get=control("The active faults", {"200": answer("the faults", array("Fault"))}))
def faults() -> Response:
    return render.json_response(bodies.FAULTS.dump(store().faults.active()))


@bp.post("/faults")
@documented(post=control("Inject a fault", {"201": answer("the fault", ref("Fault")),
                                            "400": BAD_BODY}, "Fault"))
def add_fault() -> Response:
    fault = store().faults.add(Fault(**body(bodies.FAULT)))
    return render.json_response(bodies.FAULTS.dump([fault])[0], 201)


@bp.delete("/faults")
@documented(delete=control("Clear the faults", {"200": answer("none left", array("Fault"))}))
def clear_faults() -> Response:
    store().faults.clear()
    return render.json_response([])


@bp.post("/clock")
@documented(post=control("Move the clock forward",
                          {"200": answer("the new now", OBJECT), "400": BAD_BODY}, "ClockArgs"))
def clock() -> Response:
    args = body(bodies.CLOCK_ARGS)
    try:
        now = store().advance(args["advance"])
    except ValueError as error:  # past the most the clock may be ahead in all
        raise ControlError(str(error)) from error
    return render.json_response({"now": format_wire(now)})


@bp.post("/reset")
@documented(post=control("Back to the start", {"200": answer("done", OBJECT)}))
def reset() -> Response:
    store().reset()
    return render.json_response({"status": "ok"})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
