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
    message = control_error(response, 404)
    assert "'abc'" in message and "9-10 digits" in message
    assert "code" not in message  # 'abc' is no pin's code either


@pytest.mark.parametrize("query", ["", "?strong=true"], ids=["code", "strong code"])
def test_a_pin_code_where_its_id_belongs_names_the_way_to_the_pin(client, new_pin, query):
    code = new_pin(query)["code"]
    message = control_error(client.post(f"/_mockplex/pins/{code}/verify"), 404)
    assert f"{code!r} is shaped as a pin's code, not its id" in message
    found = client.get(f"/_mockplex/pins?code={code}").get_json()  # the way it names works
    assert message.count(f"GET /_mockplex/pins?code={code}") == 1 and len(found) == 1


def test_the_handle_says_the_same_as_a_value_error_of_mockplex(client, new_pin, store):
    """MockPlex.verify("R8FX") once raised int()'s "invalid literal"; now the control
    API's words, as a ValueError that is a MockplexError."""
    from mockplex import MockPlex, MockplexError
    from mockplex.control.api import NotAPinId

    code = new_pin()["code"]
    http = control_error(client.post(f"/_mockplex/pins/{code}/verify"), 404)
    handle = MockPlex(store, "http://127.0.0.1:1")
    for call in (handle.verify, handle.expire, handle.pin, handle.assert_polled):
        with pytest.raises(NotAPinId) as raised:
            call(code)
        assert str(raised.value) == http
        assert isinstance(raised.value, ValueError) and isinstance(raised.value, MockplexError)
    assert "pin_for_code" in http
    pin = handle.pin_for_code(code)
    assert handle.verify(str(pin.id)) == DEFAULT_TOKEN  # an id as a string still works


def test_an_unknown_control_path_lists_the_control_routes(client, app):
    message = control_error(client.post("/_mockplex/pins/verify"), 404)
    assert message.startswith("mockplex has no control route POST /_mockplex/pins/verify; "
                              "its control routes are GET /_mockplex/health, ")
    assert "POST /_mockplex/pins/<id>/verify" in message
    assert message.endswith("; GET /_mockplex/openapi.json describes each")
    assert "/api/v2/pins" not in message  # plex.tv's routes are not the answer here
    every = {f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/_mockplex") and rule.endpoint != "static"
             and "<" not in rule.rule for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert every and all(route in message for route in every)


def test_an_unknown_plex_path_still_lists_plex_routes(client):
    response = client.get("/api/v2/nothing.json")
    [error] = response.get_json()["errors"]
    assert error["message"].startswith("mockplex emulates no route GET /api/v2/nothing.json; "
                                       "it emulates POST /api/v2/pins")
    assert "/_mockplex" not in error["message"]


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
