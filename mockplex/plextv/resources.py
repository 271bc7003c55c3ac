"""What a signed-in app asks plex.tv next: the servers an account sees (its own and those
shared with it, ``/api/v2/resources`` and the older ``/api/resources``) and the accounts
it shares with (``/api/users``).

The newer route negotiates JSON and XML as the pins do; the older ones are XML only
(:func:`mockplex.web.render.suffix_only`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from flask import Blueprint, Flask, Response, request

from mockplex.domain import flags
from mockplex.domain.accounts import Account
from mockplex.plextv.request import caller
from mockplex.web import render
from mockplex.web.apidoc import (
    ACCEPT,
    FILTERS,
    NEGOTIATED,
    SIGNED_OUT,
    TOKEN,
    XML_ONLY,
    answer,
    documented,
    ref,
)
from mockplex.web.context import base_url, store
from mockplex.web.deferred import Deferred

if TYPE_CHECKING:
    from mockplex.plextv import servers_wire
else:
    servers_wire = Deferred("mockplex.plextv.servers_wire")

bp = Blueprint("resources", __name__)


def flag(name: str) -> bool:
    """A filter of the query: yes in any case, anything else (or none) no."""
    return flags.parse(request.args.get(name, "0"), flags.FILTER_TRUE, ignore_case=True,
                       otherwise=False)


def visible_resources(account: Account) -> list[dict[str, Any]]:
    """The servers ``account`` sees, as
    :func:`mockplex.plextv.servers_wire.resource_values`, with the connections the
    request's ``includeHttps`` and ``includeRelay`` let through (``includeIPv6``
    changes nothing: the mock's connections are IPv4 or names)."""
    now = store().clock.now()
    https, relay = flag("includeHttps"), flag("includeRelay")
    entries = []
    for server, share in store().resources(account):
        owner = account if share is None else store().account(server.owner)
        entry = servers_wire.resource_values(server, share, owner, now, store().connections(server))
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
    dumped = servers_wire.dump_resources(visible_resources(caller()))
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
    devices = [servers_wire.dump_device(entry) for entry in visible_resources(caller())]
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
    shares = {friend.username: (friend, shared) for friend, shared in store().friends(account)}
    home = [member for member in store().home(account) if member.id != account.id]
    users = [servers_wire.home_friend(member, shares.pop(member.username, (member, []))[1],
                              account.username, now, base_url())
             for member in home]
    users += [servers_wire.dump_friend(friend, shared, account.username, now, base_url())
              for friend, shared in shares.values()]
    return render.xml_response(servers_wire.myplex_container(account, "User", users, total=True))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
