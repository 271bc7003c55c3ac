"""GET /api/v2/user and PUT /api/v2/pins/link, row by row against docs/contract.md."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from freezegun import freeze_time

from mockplex import DEFAULT_TOKEN
from tests.values import HEADERS

UNAUTHENTICATED = {"errors": [{"code": 1001, "message": "User could not be authenticated",
                               "status": 401}]}
NOT_FOUND = {"errors": [{"code": 1020, "message": "Code not found or expired", "status": 404}]}
INVALID_TOKEN = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<errors><error>Invalid token</error></errors>\n')


# -- GET /api/v2/user ------------------------------------------------------

@pytest.mark.parametrize("where", ["headers", "query_string"])
def test_a_valid_token_opens_the_account_in_json(client, store, where):
    alice = store.create_account("alice", email="alice@x.test")
    token = {"X-Plex-Token": alice.auth_token}
    if where == "headers":
        response = client.get("/api/v2/user.json", headers=token)
    else:
        response = client.get("/api/v2/user.json", query_string=token)
    assert response.status_code == 200
    user = response.get_json()
    assert {key: user[key] for key in ("id", "uuid", "username", "title", "email",
                                       "friendlyName", "authToken")} == {
        "id": alice.id, "uuid": alice.uuid, "username": "alice", "title": "alice",
        "email": "alice@x.test", "friendlyName": "alice", "authToken": alice.auth_token}
    assert isinstance(user["joinedAt"], int) and isinstance(user["id"], int)
    assert user["subscription"]["status"] == "Inactive" and user["profile"]["autoSelectAudio"]


def test_the_account_in_xml_has_what_python_plexapi_reads(client):
    response = client.get("/api/v2/user", headers={"X-Plex-Token": DEFAULT_TOKEN})
    assert response.content_type == "application/xml; charset=utf-8"
    user = ElementTree.fromstring(response.data)
    assert user.tag == "user"
    for name in ("id", "uuid", "username", "title", "email", "friendlyName", "authToken",
                 "joinedAt", "scrobbleTypes", "locale", "confirmed", "home", "guest",
                 "restricted"):
        assert name in user.attrib, name
    assert user.attrib["authToken"] == DEFAULT_TOKEN
    assert user.attrib["joinedAt"].isdigit()
    assert {user.attrib[b] for b in ("confirmed", "home", "guest", "restricted")} <= {"0", "1"}
    subscription = user.find("subscription")
    assert subscription.attrib == {"active": "0", "status": "Inactive", "plan": "",
                                   "subscribedAt": "", "paymentService": ""}
    assert subscription.find("features") is not None
    assert user.find("profile") is not None


def test_any_client_identifier_or_none_will_do(client):
    answers = []
    for headers in ({}, {"X-Plex-Client-Identifier": "anything"}):
        response = client.get("/api/v2/user.json", headers={**headers,
                                                            "X-Plex-Token": DEFAULT_TOKEN})
        assert response.status_code == 200
        user = response.get_json()
        assert (user["username"], user["authToken"]) == ("mockplex", DEFAULT_TOKEN)
        answers.append(user)
    assert answers[0] == answers[1]  # the identifier changes nothing


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_a_missing_or_unknown_token_is_401_1001(client, token):
    headers = {"Accept": "application/json"} | ({"X-Plex-Token": token} if token is not None
                                                else {})
    response = client.get("/api/v2/user", headers=headers)
    assert (response.status_code, response.get_json()) == (401, UNAUTHENTICATED)


def test_401_in_xml(client):
    response = client.get("/api/v2/user")
    assert response.status_code == 401
    assert response.content_type == "application/xml; charset=utf-8"
    errors = ElementTree.fromstring(response.data)
    assert errors.tag == "errors"
    assert [error.attrib for error in errors] == [
        {"code": "1001", "message": "User could not be authenticated", "status": "401"}]


@pytest.mark.parametrize("accept", [None, "application/json"])
def test_a_revoked_token_is_422_invalid_token_in_xml(client, store, accept):
    store.revoke(DEFAULT_TOKEN)
    headers = {"X-Plex-Token": DEFAULT_TOKEN} | ({"Accept": accept} if accept else {})
    response = client.get("/api/v2/user", headers=headers)
    assert response.status_code == 422
    assert response.content_type == "application/xml; charset=utf-8"
    assert response.data.decode() == INVALID_TOKEN


# -- PUT /api/v2/pins/link ---------------------------------------------------

@pytest.fixture
def alice(store):
    return store.create_account("alice")


def link(client, code, token, suffix=""):
    headers = {"X-Plex-Product": "Plex SSO", "Accept": "application/json"}
    if token is not None:
        headers["X-Plex-Token"] = token
    return client.put(f"/api/v2/pins/link{suffix}", data={"code": code}, headers=headers)


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_link_approves_the_pin_as_the_tokens_account(client, new_pin, alice, suffix):
    pin = new_pin()
    response = link(client, pin["code"], alice.auth_token, suffix)
    assert (response.status_code, response.data) == (204, b"")
    polled = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
    assert (polled["authToken"], polled["newRegistration"]) == (alice.auth_token, False)


def test_link_reads_the_code_from_the_query_too(client, new_pin, alice):
    pin = new_pin()
    response = client.put(f"/api/v2/pins/link?code={pin['code']}",
                          headers={"X-Plex-Token": alice.auth_token})
    assert (response.status_code, response.data) == (204, b"")
    polled = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
    assert polled["authToken"] == alice.auth_token


def test_link_an_unknown_code_is_404_1020(client, alice):
    response = link(client, "ZZZZ", alice.auth_token)
    assert (response.status_code, response.get_json()) == (404, NOT_FOUND)


def test_link_an_expired_code_is_404_1020(client, new_pin, alice):
    with freeze_time("2024-07-16 17:03:05") as frozen:
        pin = new_pin()
        frozen.tick(900)
        response = link(client, pin["code"], alice.auth_token)
    assert (response.status_code, response.get_json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_link_with_a_missing_or_unknown_token_is_401_1001(client, new_pin, token):
    pin = new_pin()
    response = link(client, pin["code"], token)
    assert (response.status_code, response.get_json()) == (401, UNAUTHENTICATED)
    polled = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
    assert polled["authToken"] is None


def test_link_is_authenticated_before_the_code_is_looked_at(client):
    response = link(client, "ZZZZ", "not-a-token")  # an unknown code too: 401, not 404
    assert (response.status_code, response.get_json()) == (401, UNAUTHENTICATED)


def test_link_without_a_code_is_a_plex_400(client, alice):
    response = client.put("/api/v2/pins/link.json", headers={"X-Plex-Token": alice.auth_token})
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert (error["code"], error["status"]) == (1000, 400)
    assert "code" in error["message"]


def test_link_with_a_revoked_token_is_422(client, store, new_pin, alice):
    store.revoke(alice.auth_token)
    pin = new_pin()
    response = link(client, pin["code"], alice.auth_token)
    assert (response.status_code, response.data.decode()) == (422, INVALID_TOKEN)
    assert response.content_type == "application/xml; charset=utf-8"  # though JSON was asked
    polled = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
    assert polled["authToken"] is None
