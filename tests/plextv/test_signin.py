"""The calls around the PIN, row by row against docs/contract.md: for each route, the
fields each app reads, in each format the route has, and its errors."""

from __future__ import annotations

import base64
from xml.etree import ElementTree

import pytest

from tests.values import HEADERS

JSON = {"Accept": "application/json"}
UNAUTHENTICATED = {"code": 1001, "message": "User could not be authenticated", "status": 401}
VERIFY = {"code": 1029, "message": "Please enter the verification code", "status": 401}
INVALID_TOKEN = b"<errors><error>Invalid token</error></errors>"


@pytest.fixture
def alice(store):
    return store.create_account("alice", email="alice@x.test", password="pw")


def token_of(account) -> dict[str, str]:
    return {"X-Plex-Token": account.auth_token}


def xml(response) -> ElementTree.Element:
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    return ElementTree.fromstring(response.data)


# -- /users/account -----------------------------------------------------------

def test_users_account_json_has_what_overseerr_and_ombi_read(client, alice):
    response = client.get("/users/account.json", headers={**token_of(alice), **JSON})
    assert response.status_code == 200
    user = response.get_json()["user"]
    assert (user["id"], user["email"], user["username"], user["authToken"],
            user["authentication_token"]) == (alice.id, "alice@x.test", "alice",
                                               alice.auth_token, alice.auth_token)
    assert user["thumb"].endswith(f"/users/{alice.uuid}/avatar")
    assert user["subscription"] == {"active": False, "status": "Inactive", "plan": None,
                                    "features": []}
    assert user["roles"] == {"roles": []} and user["hasPassword"] is True


@pytest.mark.parametrize("accept", [None, "application/json"])
def test_users_account_is_xml_without_the_suffix_whatever_accept_says(client, alice, accept):
    """Tautulli reads <user id username home restricted authToken> and
    <subscription active>; the older routes go by the suffix alone."""
    headers = token_of(alice) if accept is None else {**token_of(alice), "Accept": accept}
    user = xml(client.get("/users/account", headers=headers))
    assert user.tag == "user"
    assert {key: user.get(key) for key in ("id", "username", "email", "home", "restricted",
                                           "authToken", "authenticationToken")} == {
        "id": str(alice.id), "username": "alice", "email": "alice@x.test", "home": "0",
        "restricted": "0", "authToken": alice.auth_token,
        "authenticationToken": alice.auth_token}
    assert user.find("subscription").get("active") == "0"


@pytest.mark.parametrize("path", ["/users/account", "/users/account.json",
                                  "/api/v2/ping", "/api/v2/resources", "/api/resources",
                                  "/api/users"])
def test_a_missing_or_unknown_token_is_401(client, path):
    for headers in ({}, {"X-Plex-Token": "nope"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        if path.endswith(".json"):
            assert response.get_json() == {"errors": [UNAUTHENTICATED]}
        else:
            [error] = xml(response)
            assert error.attrib == {key: str(value) for key, value in UNAUTHENTICATED.items()}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/users/account.json"), ("GET", "/api/v2/ping"), ("GET", "/api/v2/resources"),
    ("GET", "/api/resources"), ("GET", "/api/users"), ("DELETE", "/api/v2/users/signout")])
def test_a_revoked_token_is_422_invalid_token(client, store, alice, method, path):
    store.revoke(alice.auth_token)
    response = client.open(path, method=method, headers={**token_of(alice), **JSON})
    assert response.status_code == 422 and INVALID_TOKEN in response.data


# -- POST /api/v2/users/signin -------------------------------------------------

def sign_in(client, fmt="", **form):
    return client.post(f"/api/v2/users/signin{fmt}", headers=HEADERS, data=form)


def test_sign_in_answers_201_with_the_account_and_its_token(client, alice):
    response = sign_in(client, ".json", login="alice", password="pw", rememberMe="true")
    assert response.status_code == 201
    user = response.get_json()
    assert (user["username"], user["authToken"], user["twoFactorEnabled"]) == (
        "alice", alice.auth_token, False)
    assert (user["subscriptions"], user["pastSubscriptions"], user["trials"]) == ([], [], [])


def test_sign_in_is_xml_by_default(client, alice):
    user = xml(sign_in(client, login="alice@x.test", password="pw"))
    assert (user.tag, user.get("authToken")) == ("user", alice.auth_token)


@pytest.mark.parametrize(("login", "password"), [
    ("alice", "PW"), ("nobody", "pw"), ("alice", "pw "),
])
def test_a_wrong_login_or_password_is_401(client, alice, login, password):
    response = sign_in(client, ".json", login=login, password=password)
    assert (response.status_code, response.get_json()) == (401, {"errors": [UNAUTHENTICATED]})


def test_an_account_without_a_password_cannot_sign_in_with_one(client, store):
    store.create_account("carol")
    assert sign_in(client, ".json", login="carol", password="x").status_code == 401


def test_two_factor_sign_in(client, store):
    store.create_account("bob", password="pw", verification_code="123456")
    response = sign_in(client, ".json", login="bob", password="pw")
    assert (response.status_code, response.get_json()) == (401, {"errors": [VERIFY]})
    assert sign_in(client, ".json", login="bob", password="pw",
                   verificationCode="000000").status_code == 401
    ok = sign_in(client, ".json", login="bob", password="pw", verificationCode="123456")
    assert ok.status_code == 201 and ok.get_json()["twoFactorEnabled"] is True
    assert sign_in(client, ".json", login="bob", password="pw123456").status_code == 201


def test_sign_in_takes_a_json_body_and_the_query_too(client, alice):
    assert client.post("/api/v2/users/signin.json", headers=HEADERS,
                       json={"login": "alice", "password": "pw"}).status_code == 201
    assert client.post("/api/v2/users/signin.json?login=alice&password=pw",
                       headers=HEADERS).status_code == 201


@pytest.mark.parametrize("form", [{"password": "pw"}, {"login": "alice"},
                                  {"login": "alice", "password": "pw", "rememberMe": "maybe"}])
def test_sign_in_without_login_or_password_is_400(client, alice, form):
    response = sign_in(client, ".json", **form)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["code"] == 1000


def test_sign_in_needs_a_client_identifier(client, alice):
    response = client.post("/api/v2/users/signin.json", data={"login": "alice",
                                                              "password": "pw"})
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"] == "X-Plex-Client-Identifier is missing"


# -- /users/sign_in (the older sign-in) -----------------------------------------

def basic(login: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {**HEADERS, "Authorization": f"Basic {pair}"}


def test_legacy_sign_in_with_basic_auth_answers_xml(client, alice):
    """Tautulli's older releases: POST /users/sign_in.xml, then authenticationToken."""
    response = client.post("/users/sign_in.xml", headers=basic("alice", "pw"))
    assert response.status_code == 201
    assert xml(response).get("authenticationToken") == alice.auth_token


def test_legacy_sign_in_with_a_json_user_answers_json(client, alice):
    """Ombi: {"user": {"login", "password"}} to /users/sign_in.json, authentication_token."""
    response = client.post("/users/sign_in.json", headers={**HEADERS, **JSON},
                           json={"user": {"login": "alice", "password": "pw"}})
    assert response.status_code == 201
    assert response.get_json()["user"]["authentication_token"] == alice.auth_token


def test_legacy_sign_in_with_a_form(client, alice):
    response = client.post("/users/sign_in.json", headers=HEADERS,
                           data={"user[login]": "alice", "user[password]": "pw"})
    assert response.get_json()["user"]["username"] == "alice"


@pytest.mark.parametrize("headers", [basic("alice", "no"), HEADERS])
def test_legacy_sign_in_refuses_wrong_or_no_credentials(client, alice, headers):
    response = client.post("/users/sign_in.json", headers=headers)
    assert (response.status_code, response.get_json()) == (401, {"errors": [UNAUTHENTICATED]})


# -- sign-out and ping ------------------------------------------------------------

def test_sign_out_revokes_the_token_and_a_new_sign_in_gets_a_new_one(client, alice):
    assert client.delete("/api/v2/users/signout", headers=token_of(alice)).status_code == 204
    assert client.get("/api/v2/user", headers=token_of(alice)).status_code == 422
    again = sign_in(client, ".json", login="alice", password="pw").get_json()["authToken"]
    assert again != alice.auth_token
    assert client.get("/api/v2/ping.json", headers={"X-Plex-Token": again}).status_code == 200


def test_ping_is_pong_true_in_both_formats(client, alice):
    """Overseerr reads pong from JSON; python-plexapi reads the XML root's text."""
    response = client.get("/api/v2/ping", headers={**token_of(alice), **JSON})
    assert response.get_json() == {"pong": True}
    pong = xml(client.get("/api/v2/ping", headers=token_of(alice)))
    assert (pong.tag, pong.text) == ("pong", "true")


# -- resources -------------------------------------------------------------------

@pytest.fixture
def shared(store, alice):
    """alice owns "Home" (two connections) and shares it with bob."""
    store.create_account("bob")
    server = store.add_server("Home", "alice", connections=[
        "http://127.0.0.1:32401", "https://media.example.test:32400",
        {"uri": "http://relay.example.test:8443", "local": False, "relay": True}])
    return server, store.share("Home", "bob")


def test_v2_resources_json_for_the_owner(client, alice, shared):
    server, _ = shared
    [resource] = client.get("/api/v2/resources?includeHttps=1&includeRelay=1",
                            headers={**token_of(alice), **JSON}).get_json()
    assert {key: resource[key] for key in (
        "name", "clientIdentifier", "provides", "owned", "accessToken", "presence",
        "ownerId", "sourceTitle", "httpsRequired", "publicAddressMatches")} == {
        "name": "Home", "clientIdentifier": server.machine_identifier, "provides": "server",
        "owned": True, "accessToken": server.access_token, "presence": True,
        "ownerId": None, "sourceTitle": None, "httpsRequired": False,
        "publicAddressMatches": True}
    assert [(c["protocol"], c["address"], c["port"], c["local"], c["relay"])
            for c in resource["connections"]] == [
        ("http", "127.0.0.1", 32401, True, False),
        ("https", "media.example.test", 32400, True, False),
        ("http", "relay.example.test", 8443, False, True)]


def test_v2_resources_for_a_friend_in_xml(client, store, shared):
    _, share = shared
    bob = store.account("bob")
    root = xml(client.get("/api/v2/resources?includeHttps=1", headers=token_of(bob)))
    [resource] = root
    assert (root.tag, resource.tag) == ("resources", "resource")
    assert (resource.get("owned"), resource.get("accessToken"), resource.get("ownerId"),
            resource.get("sourceTitle")) == ("0", share.access_token, str(store.account(
                "alice").id), "alice")
    assert [c.get("uri") for c in resource.find("connections")] == [
        "http://127.0.0.1:32401", "https://media.example.test:32400"]  # no relay asked


@pytest.mark.parametrize("query", ["", "?includeHttps=0"])
def test_without_include_https_the_https_connections_are_left_out(client, alice, shared,
                                                                   query):
    [resource] = client.get(f"/api/v2/resources{query}",
                            headers={**token_of(alice), **JSON}).get_json()
    assert [c["uri"] for c in resource["connections"]] == ["http://127.0.0.1:32401"]


@pytest.mark.parametrize("accept", [None, "application/json"])
def test_legacy_resources_are_xml_devices_with_epoch_times(client, store, alice, shared,
                                                            accept):
    """Overseerr sends Accept: application/json and parses the answer as XML, and reads
    createdAt and lastSeenAt as Unix seconds."""
    server, _ = shared
    headers = token_of(alice) if accept is None else {**token_of(alice), "Accept": accept}
    root = xml(client.get("/api/resources?includeHttps=1", headers=headers))
    [device] = root
    assert (root.tag, root.get("size"), device.tag) == ("MediaContainer", "1", "Device")
    assert {key: device.get(key) for key in (
        "name", "clientIdentifier", "provides", "owned", "accessToken", "presence",
        "productVersion", "platform", "httpsRequired", "publicAddressMatches")} == {
        "name": "Home", "clientIdentifier": server.machine_identifier, "provides": "server",
        "owned": "1", "accessToken": server.access_token, "presence": "1",
        "productVersion": server.product_version, "platform": "Linux", "httpsRequired": "0",
        "publicAddressMatches": "1"}
    assert int(device.get("createdAt")) == int(server.created_at)
    assert abs(int(device.get("lastSeenAt")) - store.clock.now()) < 5
    assert [(c.tag, c.get("protocol"), c.get("address"), c.get("port"), c.get("uri"),
             c.get("local")) for c in device] == [
        ("Connection", "http", "127.0.0.1", "32401", "http://127.0.0.1:32401", "1"),
        ("Connection", "https", "media.example.test", "32400",
         "https://media.example.test:32400", "1")]


def test_an_account_with_no_servers_has_no_resources(client, alice):
    assert client.get("/api/v2/resources.json", headers=token_of(alice)).get_json() == []
    assert len(xml(client.get("/api/resources", headers=token_of(alice)))) == 0


# -- /api/users --------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/users", "/api/users/"])
def test_users_lists_friends_with_the_servers_they_share(client, store, alice, shared, path):
    """What Overseerr checks a non-owner against: User id, and Server machineIdentifier."""
    server, share = shared
    bob = store.account("bob")
    root = xml(client.get(path, headers={**token_of(alice), **JSON}))
    assert (root.tag, root.get("size")) == ("MediaContainer", "1")
    [user] = root
    assert {key: user.get(key) for key in ("id", "title", "username", "email", "home")} == {
        "id": str(bob.id), "title": "bob", "username": "bob", "email": "bob@example.com",
        "home": "0"}
    [entry] = user
    assert (entry.tag, entry.get("id"), entry.get("machineIdentifier"), entry.get("name"),
            entry.get("owned")) == ("Server", str(share.id), server.machine_identifier,
                                    "Home", "1")
    [owner] = xml(client.get(path, headers=token_of(bob)))  # and the other way round
    assert (owner.get("username"), owner[0].get("owned")) == ("alice", "0")


def test_an_account_with_no_shares_has_no_friends(client, alice):
    assert len(xml(client.get("/api/users", headers=token_of(alice)))) == 0


def test_the_older_routes_have_no_json_suffix(client, alice):
    for path in ("/api/resources.json", "/api/users.json"):
        assert client.get(path, headers=token_of(alice)).status_code == 404


def test_each_route_is_journaled(client, alice, store):
    client.get("/api/v2/ping", headers=token_of(alice))
    [entry] = store.journal.entries(path="/api/v2/ping")
    assert (entry.method, entry.status) == ("GET", 200)
