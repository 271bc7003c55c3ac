"""Devices, claim tokens, /pms/servers and the avatar, row by row against docs/contract.md
(and the domain's devices and claim tokens, with their caps)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from mockplex.domain.devices import CLAIM_TOKEN_LIFETIME, ClaimTokens, Devices
from mockplex.domain.limits import CLAIM_TOKENS_MAX, DEVICES_MAX
from tests.values import HEADERS

CLIENT = {"X-Plex-Client-Identifier": "tv-1", "X-Plex-Product": "Plex for TV",
          "X-Plex-Version": "8.1", "X-Plex-Platform": "webOS", "X-Plex-Device": "OLED",
          "X-Plex-Device-Name": "Living room", "X-Plex-Provides": "player"}


def token_of(account):
    return {"X-Plex-Token": account.auth_token}


def error_of(response):
    """The one error of plex.tv's error body, XML (as these older routes answer) or JSON."""
    if response.mimetype == "application/json":
        (error,) = response.get_json()["errors"]
        return error
    (error,) = ElementTree.fromstring(response.data).findall("error")
    return {**error.attrib, "code": int(error.get("code")), "status": int(error.get("status"))}


def devices_xml(client, account):
    response = client.get("/devices.xml", headers=token_of(account))
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/xml"
    return ElementTree.fromstring(response.data)


def sign_in_with_a_pin(client, store, account, headers=CLIENT):
    pin = client.post("/api/v2/pins.json", headers=headers).get_json()
    store.approve(pin["id"], user=account.username)
    response = client.get(f"/api/v2/pins/{pin['id']}.json", headers=headers)
    assert response.get_json()["authToken"] == account.auth_token


# -- GET /devices.xml ----------------------------------------------------------

def test_devices_are_the_accounts_servers_and_the_clients_that_signed_in(client, store):
    alice = store.create_account("alice")
    server = store.add_server("Home", owner="alice", connections=["http://10.0.0.2:32400"])
    store.add_server("Elsewhere")  # the default account's: not alice's
    sign_in_with_a_pin(client, store, alice)
    root = devices_xml(client, alice)
    assert root.tag == "MediaContainer" and root.get("size") == "2"
    served, tv = root.findall("Device")
    assert served.attrib | {"lastSeenAt": ""} == {
        "name": "Home", "publicAddress": "127.0.0.1", "product": "Plex Media Server",
        "productVersion": server.product_version, "platform": "Linux",
        "platformVersion": server.platform_version, "device": "PC", "model": "", "vendor": "",
        "provides": "server", "clientIdentifier": server.machine_identifier,
        "version": server.product_version, "id": str(server.id),
        "token": server.access_token, "createdAt": str(int(server.created_at)),
        "lastSeenAt": "", "screenResolution": "", "screenDensity": ""}
    assert [c.get("uri") for c in served.findall("Connection")] == ["http://10.0.0.2:32400"]
    assert {key: tv.get(key) for key in ("name", "product", "productVersion", "platform",
                                         "device", "provides", "clientIdentifier",
                                         "token")} == {
        "name": "Living room", "product": "Plex for TV", "productVersion": "8.1",
        "platform": "webOS", "device": "OLED", "provides": "player",
        "clientIdentifier": "tv-1", "token": alice.auth_token}


def test_a_password_sign_in_records_its_client_once(client, store):
    bob = store.create_account("bob", password="secret")
    for _ in range(2):
        response = client.post("/api/v2/users/signin.json", headers=CLIENT,
                               data={"login": "bob", "password": "secret"})
        assert response.status_code == 201
    response = client.post("/users/sign_in.json", headers={**CLIENT, "X-Plex-Client-Identifier":
                                                           "web-2"},
                           data={"user[login]": "bob", "user[password]": "secret"})
    assert response.status_code == 201
    assert [d.get("clientIdentifier") for d in devices_xml(client, bob)] == ["tv-1", "web-2"]


def test_a_client_is_no_device_before_its_pin_is_approved(client, store):
    client.post("/api/v2/pins.json", headers=HEADERS)
    assert devices_xml(client, store.default_account).get("size") == "0"


def test_devices_need_a_token(client):
    response = client.get("/devices.xml")
    assert response.status_code == 401
    assert error_of(response)["code"] == 1001


# -- DELETE /devices/<id>.xml ---------------------------------------------------

def test_a_client_device_is_deleted(client, store):
    alice = store.create_account("alice")
    sign_in_with_a_pin(client, store, alice)
    device_id = devices_xml(client, alice).find("Device").get("id")
    response = client.delete(f"/devices/{device_id}.xml", headers=token_of(alice))
    assert response.status_code == 204
    assert devices_xml(client, alice).get("size") == "0"


@pytest.mark.parametrize("device_id", ["another's", "99999"])
def test_a_device_that_is_not_the_callers_is_not_found(client, store, device_id):
    alice, bob = store.create_account("alice"), store.create_account("bob")
    sign_in_with_a_pin(client, store, bob)
    if device_id == "another's":
        device_id = devices_xml(client, bob).find("Device").get("id")
    response = client.delete(f"/devices/{device_id}.xml", headers=token_of(alice))
    error = error_of(response)
    assert (response.status_code, error["status"], error["code"]) == (404, 404, 1002)
    assert "no device of this account" in error["message"]
    assert devices_xml(client, bob).get("size") == "1"


@pytest.mark.parametrize("device_id", ["abc", "-1", "9" * 5000, "\u0661"])
def test_a_device_id_that_is_no_number_is_a_400(client, store, device_id):
    alice = store.create_account("alice")
    response = client.delete(f"/devices/{device_id}.xml", headers=token_of(alice))
    error = error_of(response)
    assert (response.status_code, error["status"], error["code"]) == (400, 400, 1000)


def test_a_server_device_is_not_deleted(client, store):
    server = store.add_server("Home", connections=["http://10.0.0.2:32400"])
    response = client.delete(f"/devices/{server.id}.xml",
                             headers=token_of(store.default_account))
    assert response.status_code == 400
    assert error_of(response)["status"] == 400
    assert store.servers() == [server]


# -- GET /api/claim/token.json -----------------------------------------------------

def test_a_claim_token_is_claim_and_20_characters_for_4_minutes(client, store):
    response = client.get("/api/claim/token.json", headers=token_of(store.default_account))
    assert response.status_code == 200 and response.mimetype == "application/json"
    token = response.get_json()["token"]
    assert re.fullmatch(r"claim-[A-Za-z0-9]{20}", token)
    assert [claim.token for claim in store.live_claim_tokens()] == [token]
    store.advance(CLAIM_TOKEN_LIFETIME - 1)
    assert [claim.token for claim in store.live_claim_tokens()] == [token]
    store.advance(1)
    assert store.live_claim_tokens() == []


def test_a_claim_token_needs_a_token(client):
    assert client.get("/api/claim/token.json").status_code == 401


def test_claim_tokens_are_capped_the_oldest_leaving():
    tokens = ClaimTokens(seed=1)
    first = tokens.new("a", 0).token
    for _ in range(CLAIM_TOKENS_MAX):
        tokens.new("a", 0)
    live = [claim.token for claim in tokens.live(0)]
    assert len(live) == CLAIM_TOKENS_MAX and first not in live


def test_devices_are_capped_the_one_seen_longest_ago_leaving():
    devices = Devices()
    for number in range(DEVICES_MAX + 1):
        devices.seen("a", f"client-{number}", "token", float(number))
    kept = devices.of("a")
    assert len(kept) == DEVICES_MAX and kept[0].client_identifier == "client-1"
    devices.seen("a", "client-1", "token", 1000.0)  # seen again: the newest now
    assert devices.of("a")[-1].client_identifier == "client-1"


def test_a_reset_forgets_devices_and_claim_tokens(client, store):
    sign_in_with_a_pin(client, store, store.default_account)
    store.new_claim_token(store.default_account)
    assert store.devices.of("mockplex") and store.live_claim_tokens()
    store.reset()
    assert store.devices.of("mockplex") == [] and store.live_claim_tokens() == []


# -- GET /pms/servers ------------------------------------------------------------------

def test_pms_servers_lists_own_and_shared_servers_as_organizr_reads_them(client, store):
    bob = store.create_account("bob")
    own = store.add_server("Home", owner="bob", connections=["http://10.0.0.2:32400"])
    shared = store.add_server("Friend's", connections=["https://1.2.3.4:443"])
    share = store.share("Friend's", "bob")
    for path in ("/pms/servers", "/pms/servers.xml"):
        response = client.get(path, headers={**token_of(bob), "Accept": "application/json"})
        assert response.status_code == 200 and response.mimetype == "application/xml"
        root = ElementTree.fromstring(response.data)
        assert (root.tag, root.get("size"), root.get("machineIdentifier")) == (
            "MediaContainer", "2", bob.uuid)
        first, second = root.findall("Server")
        assert {key: first.get(key) for key in (
            "name", "address", "port", "scheme", "machineIdentifier", "owned",
            "accessToken")} == {
            "name": "Home", "address": "10.0.0.2", "port": "32400", "scheme": "http",
            "machineIdentifier": own.machine_identifier, "owned": "1",
            "accessToken": own.access_token}
        assert first.get("sourceTitle") is None
        assert {key: second.get(key) for key in (
            "name", "address", "port", "owned", "accessToken", "sourceTitle")} == {
            "name": "Friend's", "address": "1.2.3.4", "port": "443", "owned": "0",
            "accessToken": share.access_token, "sourceTitle": "mockplex"}
        assert second.get("machineIdentifier") == shared.machine_identifier


def test_pms_servers_needs_a_token(client):
    assert client.get("/pms/servers").status_code == 401


# -- the avatar -------------------------------------------------------------------------

def test_every_accounts_thumb_is_a_png(client, store):
    alice = store.create_account("alice")
    thumb = client.get("/api/v2/user.json", headers=token_of(alice)).get_json()["thumb"]
    response = client.get(thumb)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")


def test_an_unknown_accounts_avatar_is_not_found(client):
    response = client.get("/users/nobody/avatar")
    assert response.status_code == 404
    assert error_of(response)["status"] == 404
