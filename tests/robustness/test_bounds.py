"""Bounds and safety: a cap on live pins, a control token, loud non-loopback binds."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from mockplex import create_app
from mockplex.domain.store import Store, TooManyPins
from tests.values import HEADERS

JSON = {**HEADERS, "Accept": "application/json"}


def test_past_the_cap_creating_a_pin_is_a_plex_429_until_pins_expire():
    client = create_app({"MOCKPLEX_MAX_PINS": 2}).test_client()
    with freeze_time("2024-07-16 17:03:05") as frozen:
        assert [client.post("/api/v2/pins", headers=JSON).status_code for _ in range(2)] == [
            201, 201]
        refused = client.post("/api/v2/pins", headers=JSON)
        assert refused.status_code == 429
        error = refused.get_json()["errors"][0]
        assert (error["code"], error["status"]) == (1929, 429)
        assert "2 live pins, its cap" in error["message"]
        frozen.tick(900)
        assert client.post("/api/v2/pins", headers=JSON).status_code == 201


def test_the_store_cap_is_checked():
    store = Store(max_pins=1)
    store.create_pin("c")
    with pytest.raises(TooManyPins):
        store.create_pin("c")
    with pytest.raises(ValueError, match="max_pins"):
        Store(max_pins=0)


@pytest.fixture
def guarded():
    return create_app({"MOCKPLEX_CONTROL_TOKEN": "s3cret"}).test_client()


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/_mockplex/pins"), ("POST", "/_mockplex/reset"), ("GET", "/_mockplex/users"),
    ("POST", "/_mockplex/clock"), ("GET", "/_mockplex/requests"),
])
@pytest.mark.parametrize("token", [None, "wrong", "s3cret "])
def test_a_control_token_guards_the_control_api(guarded, method, path, token):
    headers = {"X-Mockplex-Token": token} if token else {}
    response = guarded.open(path, method=method, headers=headers)
    assert response.status_code == 401
    assert "X-Mockplex-Token" in response.get_json()["errors"][0]["message"]


def test_the_right_token_opens_it_and_health_and_static_stay_open(guarded):
    assert guarded.get("/_mockplex/pins", headers={"X-Mockplex-Token": "s3cret"}).status_code == 200
    assert guarded.get("/_mockplex/health").status_code == 200
    assert guarded.get("/_mockplex/static/mockplex.js").status_code == 200
    assert guarded.post("/api/v2/pins", headers=JSON).status_code == 201  # plex.tv side


def test_serve_warns_when_it_binds_beyond_loopback(serve):
    proc, url = serve("--host", "0.0.0.0", "--port", "0", "--control-token", "t")
    assert url.startswith("http://0.0.0.0:")
    proc.terminate()
    proc.wait(timeout=10)
    warning = proc.stderr.read()
    assert "warning: listening on 0.0.0.0, reachable from other machines" in warning


def test_serve_on_loopback_does_not_warn(serve):
    proc, _ = serve("--port", "0")
    proc.terminate()
    proc.wait(timeout=10)
    assert "warning" not in proc.stderr.read()
