from __future__ import annotations

import re

from freezegun import freeze_time

from mockplex import Store, create_app, store_of
from tests.values import CLIENT_ID, HEADERS, JSON_HEADERS

# -- what create_app() does with no config --------------------------------------
#
# Each of mockplex.app.DEFAULTS by what it does, not by a copy of the dict. Two are
# tested elsewhere, also on create_app() with no config: the Host rule with no
# MOCKPLEX_ALLOWED_HOSTS (tests/web/test_safety.py: test_a_foreign_host_is_refused_on_every_route,
# test_loopback_names_are_answered), and MOCKPLEX_ALLOW_UNMATCHED off: an unemulated
# route fails the test (tests/test_strict.py:
# test_the_fixture_fails_the_test_during_which_the_mock_raised).


def poll(client, pin: dict, headers: dict[str, str] = JSON_HEADERS):
    return client.get(f"/api/v2/pins/{pin['id']}", headers=headers)


def test_by_default_a_pin_lives_900_seconds_and_a_strong_one_1800():
    client = create_app().test_client()
    with freeze_time("2024-07-16 17:03:05") as frozen:
        weak = client.post("/api/v2/pins", headers=JSON_HEADERS).get_json()
        strong = client.post("/api/v2/pins?strong=1", headers=JSON_HEADERS).get_json()
        assert (weak["expiresIn"], strong["expiresIn"]) == (900, 1800)
        frozen.tick(899)
        assert (poll(client, weak).status_code, poll(client, strong).status_code) == (200, 200)
        frozen.tick(1)
        assert (poll(client, weak).status_code, poll(client, strong).status_code) == (404, 200)
        frozen.tick(899)
        assert poll(client, strong).status_code == 200
        frozen.tick(1)
        assert poll(client, strong).status_code == 404


def test_by_default_the_qr_link_is_on_the_address_each_request_came_in_on():
    client = create_app().test_client()
    for base in ("http://localhost", "http://127.0.0.1:8123"):
        pin = client.post("/api/v2/pins", headers=JSON_HEADERS, base_url=base).get_json()
        assert pin["qr"] == f"{base}/api/v2/pins/qr/{pin['code']}"


def test_by_default_no_pin_is_approved_unattended():
    client = create_app().test_client()
    assert client.get("/_mockplex/auto-approve").get_json() == {"autoApprove": None}
    with freeze_time("2024-07-16 17:03:05") as frozen:
        pin = client.post("/api/v2/pins", headers=JSON_HEADERS).get_json()
        tokens = [poll(client, pin).get_json()["authToken"] for _ in range(5)]
        frozen.tick(899)
        tokens.append(poll(client, pin).get_json()["authToken"])
    assert tokens == [None] * 6


def test_by_default_ids_codes_and_tokens_are_random_and_differ_after_a_reset():
    def made(app) -> tuple:
        client = app.test_client()
        pins = [client.post("/api/v2/pins?strong=1", headers=JSON_HEADERS).get_json()
                for _ in range(3)]
        token = client.post("/_mockplex/users", json={"username": "alice"}).get_json()
        return [(pin["id"], pin["code"]) for pin in pins], token["authToken"]

    app = create_app()
    first = made(app)
    assert app.test_client().post("/_mockplex/reset", json={}).status_code == 200
    assert made(app) != first  # with MOCKPLEX_SEED they are the same (tests/domain/test_seed.py)
    assert made(create_app()) != first


def test_by_default_the_mock_holds_the_default_account_and_nothing_else():
    client = create_app().test_client()
    assert [user["username"] for user in client.get("/_mockplex/users").get_json()] == [
        "mockplex"]
    for listing in ("pins", "servers", "shares", "faults"):
        assert client.get(f"/_mockplex/{listing}").get_json() == [], listing


def test_by_default_100_000_live_pins_and_the_next_one_is_429():
    app = create_app()
    store = store_of(app)
    for _ in range(100_000 - 1):
        store.create_pin("filler")
    client = app.test_client()
    assert client.post("/api/v2/pins", headers=JSON_HEADERS).status_code == 201  # the 100,000th
    refused = client.post("/api/v2/pins", headers=JSON_HEADERS)
    assert refused.status_code == 429
    [error] = refused.get_json()["errors"]
    assert (error["code"], error["status"]) == (1929, 429) and "100000" in error["message"]
    assert len(store) == 100_000


def test_by_default_the_control_api_needs_no_token():
    answer = create_app().test_client().post("/_mockplex/reset", json={})
    assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"})
    guarded = create_app({"MOCKPLEX_CONTROL_TOKEN": "s3cret"}).test_client()
    assert guarded.post("/_mockplex/reset", json={}).get_json()["errors"][0]["code"] == 1901


def test_by_default_a_body_of_1_mib_is_read_and_one_byte_more_is_413():
    client = create_app().test_client()
    body = "strong=1&" + "x" * (1024 * 1024 - len("strong=1&"))
    accepted = client.post("/api/v2/pins", headers=JSON_HEADERS, data=body,
                           content_type="application/x-www-form-urlencoded")
    assert accepted.status_code == 201 and len(accepted.get_json()["code"]) == 25  # it was read
    refused = client.post("/api/v2/pins", headers=JSON_HEADERS, data=body + "x",
                          content_type="application/x-www-form-urlencoded")
    assert (refused.status_code, refused.get_json()["errors"][0]["code"]) == (413, 1913)


def test_by_default_request_headers_may_take_64_kib():
    client = create_app().test_client()
    under = client.post("/api/v2/pins", headers={**JSON_HEADERS, "X-Padding": "x" * 64_000})
    assert under.status_code == 201 and under.get_json()["clientIdentifier"] == CLIENT_ID
    over = client.post("/api/v2/pins", headers={**JSON_HEADERS, "X-Padding": "x" * 64 * 1024})
    assert over.status_code == 431
    [error] = over.get_json()["errors"]
    assert (error["code"], error["status"]) == (1931, 431) and "65536" in error["message"]


def test_config_overrides_the_lifetimes():
    app = create_app({"MOCKPLEX_PIN_LIFETIME": 5, "MOCKPLEX_STRONG_PIN_LIFETIME": 7})
    assert (store_of(app).pin_lifetime, store_of(app).strong_pin_lifetime) == (5, 7)
    client = app.test_client()
    weak = client.post("/api/v2/pins", headers=JSON_HEADERS).get_json()
    strong = client.post("/api/v2/pins?strong=1", headers=JSON_HEADERS).get_json()
    assert (weak["expiresIn"], strong["expiresIn"]) == (5, 7)


def test_a_given_store_is_used_and_shared():
    store = Store()
    first, second = create_app(store=store), create_app(store=store)
    first.test_client().post("/api/v2/pins", headers=HEADERS)
    assert store_of(second) is store and len(store) == 1


def test_each_app_gets_its_own_store():
    first, second = create_app(), create_app()
    first.test_client().post("/api/v2/pins", headers=HEADERS)
    assert len(store_of(first)) == 1 and len(store_of(second)) == 0


def test_requests_are_logged_one_line_each(client, caplog):
    with caplog.at_level("INFO", logger="mockplex.access"):
        client.post("/api/v2/pins.json?strong=1", headers=HEADERS)
    assert [record.getMessage() for record in caplog.records] == [
        '127.0.0.1 "POST /api/v2/pins.json?strong=1" 201']


def test_auto_approve_is_configurable():
    app = create_app({"MOCKPLEX_AUTO_APPROVE": "after-polls=1"})
    assert str(store_of(app).auto_approve) == "after-polls=1"


def test_a_bad_auto_approve_setting_fails_at_creation():
    import pytest

    with pytest.raises(ValueError, match="after-polls=N or after-seconds=S"):
        create_app({"MOCKPLEX_AUTO_APPROVE": "always"})



PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def test_every_rule_builds_its_url_when_first_asked_and_again():
    """The rules compile their URL builders on first use (mockplex.web.rules): each
    still builds its own path, with and without extra values, and again after."""
    from mockplex.app import pms_app_of

    for app in (create_app(), pms_app_of(create_app())):
        for rule in app.url_map.iter_rules():
            values = {}
            for converter, options, name in PLACEHOLDER.findall(rule.rule):
                values[name] = (options.split(",")[0].strip(" '\"") if converter == "any"
                                else "7")
            wanted = PLACEHOLDER.sub(lambda match, given=values: given[match.group(3)],
                                     rule.rule)
            for _ in range(2):
                assert rule.build(values, append_unknown=False)[1] == wanted, rule.rule
                assert rule.build({**values, "x": "1"})[1] == wanted + "?x=1", rule.rule
