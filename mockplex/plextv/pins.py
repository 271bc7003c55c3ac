"""plex.tv's pin routes: each one parses (:mod:`mockplex.plextv.request`), asks the store,
and dumps (:mod:`mockplex.plextv.wire`).

X-Plex values may come as headers, query parameters or form fields (headers
win, then the query); ``strong`` from the query, a form or a JSON body. A
``.json`` or ``.xml`` suffix on a path fixes the answer's format.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Request, Response
from werkzeug.routing import BaseConverter

from mockplex.domain import xplex
from mockplex.domain.ids import pin_id_of
from mockplex.domain.pins import Pin
from mockplex.domain.store import Store
from mockplex.plextv.request import (
    caller,
    check_format,
    client,
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
    PIN_ID,
    PRODUCT,
    TOKEN,
    XML,
    answer,
    documented,
    plex_error,
    ref,
)
from mockplex.web.context import base_url, current_request, store
from mockplex.web.deferred import Deferred
from mockplex.web.errors import BadParameter, CodeNotFound, MissingClientIdentifier

if TYPE_CHECKING:
    from mockplex.plextv import arguments, wire
else:
    # loaded by the first request, not at start-up
    arguments = Deferred("mockplex.plextv.arguments")
    wire = Deferred("mockplex.plextv.wire")

bp = Blueprint("plextv", __name__, url_prefix="/api/v2")


def pin_response(pin: Pin, status: int, state: Store, served: Request) -> Response:
    """``pin``'s answer to ``served``, as the store ``state`` sees it now: its JSON is
    mostly written already (:func:`mockplex.plextv.wire.pin_json`), as a client polls
    every second or so."""
    dumped = wire.dump_pin(pin, state.clock.now(), base_url(served))
    if render.wants_json(served):
        return render.json_text_response(wire.pin_json(pin, dumped), status)
    return render.xml_response(render.to_xml("pin", dumped), status)


@bp.post("/pins", defaults={"fmt": None})
@bp.post("/pins.<any(json, xml):fmt>")
@documented(post={
    "summary": "Create a pin", "tags": ["plex.tv"],
    "parameters": [CLIENT_ID, PRODUCT, ACCEPT, {
        "in": "query", "name": "strong", "required": False,
        "schema": {"type": "string", "enum": ["true", "True", "1", "false", "False", "0", ""]}}],
    "responses": {"201": answer("the pin", ref("Pin"), NEGOTIATED),
                  "400": plex_error("no client identifier (1000), or a bad parameter: an "
                                    "X-Plex-Client-Identifier or X-Plex-Product over 1024 "
                                    "characters, say"),
                  "413": plex_error("a body over 1 MiB"),
                  "429": plex_error("as many live pins as the cap allows")}})
def create_pin(fmt: str | None) -> Response:
    caller = client()
    args = load(arguments.CREATE_PIN_ARGS, parameters(json_body()))
    state = store()
    pin = state.create_pin(caller["client_identifier"], product=caller["product"],
                           strong=args["strong"])
    return pin_response(pin, 201, state, current_request())


class PinIdConverter(BaseConverter):
    """A pin id as a path part: anything (a bad id answers 404 / 1020) but the paths of
    the routes beside it, so that ``/pins/link`` only ever means the link route."""

    regex = r"(?!link(?:\.json|\.xml)?$)[^/]+"


@bp.get("/pins/<pin:id>")
@documented(get={
    "summary": "Poll a pin", "tags": ["plex.tv"],
    "parameters": [PIN_ID, CLIENT_ID, ACCEPT],
    "responses": {"200": answer("the pin; authToken once approved", ref("Pin"), NEGOTIATED),
                  "400": plex_error("no client identifier, or one over 1024 characters "
                                    "(1000)"),
                  "404": plex_error("unknown, expired or another client's pin (1020)")}})
def get_pin(id: str) -> Response:
    digits, dot, fmt = id.partition(".")
    check_format(fmt if dot else None)  # "<id>." is no pin's path: only its canonical id
    served = current_request()  # read directly: a client polls every second or so
    client_identifier = (served.environ.get("HTTP_X_PLEX_CLIENT_IDENTIFIER")  # headers win
                         or xplex_values().get("x-plex-client-identifier"))
    if not client_identifier:  # a poll reads nothing else of the client's values
        raise MissingClientIdentifier()
    problem = xplex.over_cap("x-plex-client-identifier", client_identifier)
    if problem is not None:
        raise BadParameter(problem)
    pin_id = pin_id_of(digits)
    if pin_id is None:
        raise CodeNotFound()
    state = store()
    if served.method == "HEAD":  # no body, so no token: not a poll (docs/python.md)
        return pin_response(state.get_pin(pin_id, client_identifier), 200, state, served)
    pin = state.poll(pin_id, client_identifier)
    if pin.auth_token is not None:  # signed in: the client is one of the account's devices
        values = xplex_values()
        if pin.product != "0" and not values.get("x-plex-product"):
            values["x-plex-product"] = pin.product
        state.record_client(pin.auth_token, client_identifier, values)
    return pin_response(pin, 200, state, served)


@bp.get("/pins/qr/<code>")
@documented(get={
    "summary": "A QR code of the link page for a pin's code", "tags": ["plex.tv"],
    "parameters": [{"in": "path", "name": "code", "required": True,
                    "schema": {"type": "string"}}],
    "responses": {"200": {"description": "a PNG image", "content": {
                      "image/png": {"schema": {"type": "string", "format": "binary"}}}},
                  "404": plex_error("no live pin has that code (1020)")}})
def qr_code(code: str) -> Response:
    """A PNG QR code of the mock's link page for this live pin's code."""
    import segno  # only for this route

    pin = store().pin_for_code(code)
    image = io.BytesIO()
    segno.make(f"{base_url()}/link?pin={pin.code}", error="m").save(image, kind="png",
                                                                    scale=8, border=4)
    return Response(image.getvalue(), content_type="image/png")


@bp.put("/pins/link", defaults={"fmt": None})
@bp.put("/pins/link.<any(json, xml):fmt>")
@documented(put={
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
                  "422": answer("a revoked token", {"type": "string"}, (XML,))}})
def link_pin(fmt: str | None) -> Response:
    """plex.tv/link as an API: the token's account approves the pin with this code."""
    body = json_body()
    token = xplex_values().get("x-plex-token") or body.get("authToken")
    store().account_for_token(token)  # 401 / 422 before the code is looked at
    store().approve_code(load(arguments.LINK_ARGS, parameters(body))["code"], token)
    return Response(status=204)


@bp.get("/user", defaults={"fmt": None})
@bp.get("/user.<any(json, xml):fmt>")
@documented(get={
    "summary": "The account a token opens", "tags": ["plex.tv"],
    "parameters": [TOKEN, ACCEPT],
    "responses": {"200": answer("the account", ref("User"), NEGOTIATED),
                  "401": plex_error("a missing or unknown token (1001)"),
                  "422": answer("a revoked token", {"type": "string"}, (XML,))}})
def user(fmt: str | None) -> Response:
    """The account an X-Plex-Token opens; any client identifier, or none, will do."""
    account = caller()
    return render.respond("user", wire.dump_user(account, base_url(), store().home(account)))


def init_app(app: Flask) -> None:
    app.url_map.converters["pin"] = PinIdConverter
    app.register_blueprint(bp)
