"""The /_mockplex control API, over the Flask test client."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from mockplex import DEFAULT_TOKEN
from tests.values import HEADERS


def control_error(response, status):
    assert response.status_code == status
    assert response.content_type == "application/json; charset=utf-8"
    [error] = response.get_json()["errors"]
    assert error["status"] == status
    return error["message"]


def test_health(client):
    response = client.get("/_mockplex/health")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_pins_lists_live_pins_in_the_pin_json_shape(client, new_pin):
    first, second = new_pin(), new_pin("?strong=1")
    assert client.get("/_mockplex/pins").get_json() == [first, second]


def test_verify_with_the_default_token(client, new_pin):
    pin = new_pin()
    response = client.post(f"/_mockplex/pins/{pin['id']}/verify")
    assert response.status_code == 200
    assert response.get_json()["authToken"] == DEFAULT_TOKEN
    polled = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
    assert polled["authToken"] == DEFAULT_TOKEN


def test_verify_with_a_named_token(client, new_pin):
    pin = new_pin()
    response = client.post(f"/_mockplex/pins/{pin['id']}/verify",
                           json={"authToken": "abcdefghij0123456789"})
    assert response.get_json()["authToken"] == "abcdefghij0123456789"
    polled = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
    assert polled["authToken"] == "abcdefghij0123456789"


@pytest.mark.parametrize(("data", "problem"), [
    ("{oops", "not valid JSON"),
    ("[1]", "must be a JSON object"),
    ('{"authToken": 5}', "authToken"),
    ('{"authToken": ""}', "authToken"),
    ('{"token": "x"}', "token"),
])
def test_verify_rejects_bad_bodies(client, new_pin, data, problem):
    pin = new_pin()
    response = client.post(f"/_mockplex/pins/{pin['id']}/verify", data=data,
                           content_type="application/json")
    assert problem in control_error(response, 400)


@pytest.mark.parametrize("action", ["verify", "expire"])
def test_unknown_pins_are_named_in_a_404(client, action):
    response = client.post(f"/_mockplex/pins/123456789/{action}")
    assert "pin 123456789" in control_error(response, 404)


def test_a_pin_id_must_be_a_number(client):
    response = client.post("/_mockplex/pins/abc/verify")
    assert "'abc'" in control_error(response, 404)


def test_expire_makes_the_pin_answer_404_1020(client, new_pin):
    pin = new_pin()
    response = client.post(f"/_mockplex/pins/{pin['id']}/expire")
    assert (response.status_code, response.get_json()["expiresIn"]) == (200, 0)
    polled = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS)
    assert polled.status_code == 404
    assert polled.get_json()["errors"][0]["code"] == 1020
    assert client.get("/_mockplex/pins").get_json() == []


def test_clock_advances_and_pins_expire(client, new_pin):
    with freeze_time("2024-07-16 17:03:05"):
        pin = new_pin()
        response = client.post("/_mockplex/clock", json={"advance": 24})
        assert response.get_json() == {"now": "2024-07-16T17:03:29Z"}
        polled = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
        assert polled["expiresIn"] == 876
        client.post("/_mockplex/clock", json={"advance": 876})
        assert client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).status_code == 404


@pytest.mark.parametrize(("data", "problem"), [
    ('{"advance": -1}', "advance"),
    ('{"advance": "soon"}', "advance"),
    ('{"advance": 1e300}', "advance"),
    ('{"advance": NaN}', "advance"),
    ("{}", "advance"),
    ("", "advance"),
    ('{"advance": 1, "more": 2}', "more"),
])
def test_clock_rejects_bad_bodies(client, data, problem):
    response = client.post("/_mockplex/clock", data=data, content_type="application/json")
    assert problem in control_error(response, 400)


def test_reset_forgets_pins_and_restores_the_clock(client, store, new_pin):
    new_pin()
    client.post("/_mockplex/clock", json={"advance": 100})
    response = client.post("/_mockplex/reset")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    assert client.get("/_mockplex/pins").get_json() == []
    assert store.clock.offset == 0


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/_mockplex/nothing", 404),
    ("GET", "/_mockplex/reset", 405),
    ("DELETE", "/_mockplex/pins", 405),
])
def test_unknown_control_routes_get_json_errors(client, method, path, status):
    response = client.open(path, method=method)
    assert path in control_error(response, status)


# -- accounts -----------------------------------------------------------------

def test_users_lists_the_default_account(client):
    [user] = client.get("/_mockplex/users").get_json()
    assert (user["username"], user["authToken"]) == ("mockplex", DEFAULT_TOKEN)


def test_create_a_user_then_approve_as_that_user(client, new_pin):
    response = client.post("/_mockplex/users", json={"username": "alice",
                                                     "email": "alice@x.test"})
    assert response.status_code == 201
    alice = response.get_json()
    assert (alice["username"], alice["email"], alice["id"]) == ("alice", "alice@x.test", 2)
    pin = new_pin()
    approved = client.post(f"/_mockplex/pins/{pin['id']}/verify", json={"user": "alice"})
    assert approved.get_json()["authToken"] == alice["authToken"]
    assert [u["username"] for u in client.get("/_mockplex/users").get_json()] == [
        "mockplex", "alice"]


@pytest.mark.parametrize(("body", "status", "problem"), [
    ({}, 400, "username"),
    ({"username": ""}, 400, "username"),
    ({"username": "a", "email": "not-an-email"}, 400, "email"),
    ({"username": "a", "age": 3}, 400, "age"),
    ({"username": "mockplex"}, 409, "'mockplex' exists already"),
    ({"username": "b", "authToken": DEFAULT_TOKEN}, 409, "belongs to the account 'mockplex'"),
])
def test_bad_user_bodies_are_named(client, body, status, problem):
    response = client.post("/_mockplex/users", json=body)
    assert problem in control_error(response, status)


def test_verify_an_unknown_user_is_a_404_naming_it(client, new_pin):
    pin = new_pin()
    response = client.post(f"/_mockplex/pins/{pin['id']}/verify", json={"user": "nobody"})
    assert "'nobody'" in control_error(response, 404)


def test_verify_with_both_user_and_token_is_a_400(client, new_pin):
    pin = new_pin()
    response = client.post(f"/_mockplex/pins/{pin['id']}/verify",
                           json={"user": "mockplex", "authToken": "x"})
    assert "not both" in control_error(response, 400)


def test_revoke_a_token(client):
    response = client.post(f"/_mockplex/tokens/{DEFAULT_TOKEN}/revoke")
    assert response.status_code == 200
    body = response.get_json()
    assert body["revoked"] == DEFAULT_TOKEN
    assert body["user"]["authToken"] != DEFAULT_TOKEN
    user = client.get("/api/v2/user", headers={"X-Plex-Token": DEFAULT_TOKEN})
    assert user.status_code == 422
    renewed = client.get("/api/v2/user", headers={"X-Plex-Token": body["user"]["authToken"]})
    assert renewed.status_code == 200


def test_revoke_an_unknown_token_is_a_404(client):
    response = client.post("/_mockplex/tokens/nope/revoke")
    assert "no account has that token" in control_error(response, 404)


def test_revoke_twice_is_a_404(client):
    client.post(f"/_mockplex/tokens/{DEFAULT_TOKEN}/revoke")
    response = client.post(f"/_mockplex/tokens/{DEFAULT_TOKEN}/revoke")
    assert "revoked" in control_error(response, 404)
