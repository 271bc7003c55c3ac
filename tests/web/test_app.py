from __future__ import annotations

from mockplex import Store, create_app, store_of
from mockplex.app import DEFAULTS
from tests.values import HEADERS


def test_defaults_apply_without_config():
    app = create_app()
    assert {key: app.config[key] for key in DEFAULTS} == {
        "MOCKPLEX_PIN_LIFETIME": 900, "MOCKPLEX_STRONG_PIN_LIFETIME": 1800,
        "MOCKPLEX_BASE_URL": None, "MOCKPLEX_AUTO_APPROVE": None, "MOCKPLEX_SEED": None,
        "MOCKPLEX_SCENARIO": None, "MOCKPLEX_MAX_PINS": 100_000,
        "MOCKPLEX_CONTROL_TOKEN": None, "MOCKPLEX_ALLOW_UNMATCHED": False,
        "MAX_CONTENT_LENGTH": 1024 * 1024, "MOCKPLEX_MAX_HEADER_BYTES": 64 * 1024,
        "MOCKPLEX_ALLOWED_HOSTS": ()}
    assert store_of(app).pin_lifetime == 900
    assert store_of(app).strong_pin_lifetime == 1800


def test_config_overrides_the_lifetimes():
    app = create_app({"MOCKPLEX_PIN_LIFETIME": 5, "MOCKPLEX_STRONG_PIN_LIFETIME": 7})
    assert (store_of(app).pin_lifetime, store_of(app).strong_pin_lifetime) == (5, 7)


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
