"""The control API's accounts with passwords, servers and shares: what a test in any
language uses to set up the sign-in around the PIN."""

from __future__ import annotations

import pytest

from mockplex import Store, create_app, store_of
from mockplex.domain.servers import REFUSING
from tests.values import HEADERS


def test_a_user_created_with_a_password_signs_in(client):
    password = "correct horse battery staple"  # no made-up value holds it by chance
    created = client.post("/_mockplex/users", json={
        "username": "alice", "password": password, "verificationCode": "42"})
    assert created.status_code == 201
    assert created.get_json()["hasPassword"] and created.get_json()["twoFactorEnabled"]
    assert password not in created.get_data(as_text=True)  # the password is never shown
    ok = client.post("/api/v2/users/signin.json", headers=HEADERS,
                     data={"login": "alice", "password": password, "verificationCode": "42"})
    assert ok.status_code == 201


def test_a_server_gets_made_up_values_and_a_refusing_connection(client):
    response = client.post("/_mockplex/servers", json={"name": "Home"})
    assert response.status_code == 201
    server = response.get_json()
    assert (server["name"], server["owner"]) == ("Home", "mockplex")
    assert len(server["machineIdentifier"]) == 40 and len(server["accessToken"]) == 20
    assert server["connections"] == [{"uri": REFUSING, "local": True, "relay": False}]
    assert client.get("/_mockplex/servers").get_json() == [server]


def test_a_server_takes_its_values_and_a_fake_media_server_url(client):
    client.post("/_mockplex/users", json={"username": "alice"})
    body = {"name": "Home", "owner": "alice", "machineIdentifier": "m1",
            "accessToken": "tok", "connections": ["http://127.0.0.1:32401",
                                                  {"uri": "https://plex.example.test",
                                                   "local": False}],
            "productVersion": "1.2.3", "platform": "Windows", "httpsRequired": True}
    server = client.post("/_mockplex/servers", json=body).get_json()
    assert {key: server[key] for key in body if key != "connections"} == {
        key: value for key, value in body.items() if key != "connections"}
    assert server["connections"] == [
        {"uri": "http://127.0.0.1:32401", "local": True, "relay": False},
        {"uri": "https://plex.example.test", "local": False, "relay": False}]


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"name": "S", "owner": "zed"}, 404, "no account has the username 'zed'"),
    ({"name": "S", "connections": ["http://x/path"]}, 400, "Not a connection URL"),
    ({"name": "S", "connections": [{"uri": "http://x", "local": "yes"}]}, 400, "local"),
    ({"name": "S", "connections": [7]}, 400, "a connection is a URL"),
    ({"name": ""}, 400, "name"),
    ({"name": "S", "colour": "red"}, 400, "colour: ['Unknown field.']"),
])
def test_a_bad_server_is_refused_with_a_reason(client, body, status, message):
    response = client.post("/_mockplex/servers", json=body)
    assert response.status_code == status
    assert message in response.get_json()["errors"][0]["message"]


def test_a_taken_name_or_machine_identifier_is_409(client):
    client.post("/_mockplex/servers", json={"name": "S", "machineIdentifier": "m"})
    for body in ({"name": "S"}, {"name": "T", "machineIdentifier": "m"}):
        assert client.post("/_mockplex/servers", json=body).status_code == 409


def test_a_share_makes_friends_and_gets_its_own_token(client):
    client.post("/_mockplex/users", json={"username": "bob"})
    server = client.post("/_mockplex/servers", json={"name": "Home"}).get_json()
    response = client.post("/_mockplex/shares", json={"server": "Home", "user": "bob"})
    assert response.status_code == 201
    share = response.get_json()
    assert (share["server"], share["user"]) == ("Home", "bob")
    assert share["accessToken"] != server["accessToken"]
    assert client.get("/_mockplex/shares").get_json() == [share]


@pytest.mark.parametrize(("body", "status"), [
    ({"server": "Nope", "user": "bob"}, 404), ({"server": "Home", "user": "zed"}, 404),
    ({"server": "Home", "user": "mockplex"}, 400), ({"server": "Home", "user": "bob"}, 409),
    ({"server": "Home"}, 400),
])
def test_a_bad_share_is_refused(client, body, status):
    client.post("/_mockplex/users", json={"username": "bob"})
    client.post("/_mockplex/servers", json={"name": "Home"})
    client.post("/_mockplex/shares", json={"server": "Home", "user": "bob"})
    response = client.post("/_mockplex/shares", json=body)
    assert response.status_code == status, response.get_json()


def test_reset_forgets_servers_and_shares(client, store):
    store.create_account("bob")
    store.add_server("Home")
    store.share("Home", "bob")
    client.post("/_mockplex/reset")
    assert (store.servers(), store.shares()) == ([], [])


def test_a_seed_makes_server_ids_and_tokens_reproducible():
    def lay_down(store: Store) -> tuple[str, str, str]:
        store.create_account("bob")
        server = store.add_server("Home")
        return server.machine_identifier, server.access_token, store.share(
            "Home", "bob").access_token

    app = create_app({"MOCKPLEX_SEED": 7})
    first = lay_down(store_of(app))
    store_of(app).reset()
    assert lay_down(store_of(app)) == first
    assert lay_down(Store(seed=7)) == first
    assert lay_down(Store(seed=8)) != first
