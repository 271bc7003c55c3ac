"""python-plexapi's MyPlexPinLogin (PyPI, pinned) against the live mock."""

from __future__ import annotations

import re

import pytest
from plexapi.myplex import MyPlexPinLogin

from mockplex import DEFAULT_TOKEN, MockPlex


@pytest.fixture
def login_class(mockplex: MockPlex, monkeypatch) -> type[MyPlexPinLogin]:
    monkeypatch.setattr(MyPlexPinLogin, "PINS", mockplex.url + "/api/v2/pins")
    monkeypatch.setattr(MyPlexPinLogin, "POLLINTERVAL", 0.01)  # plexapi polls every 1 s
    return MyPlexPinLogin


def pin_with_code(mockplex: MockPlex, code: str) -> dict:
    [pin] = [pin for pin in mockplex.pins if pin["code"] == code]
    return pin


def test_pin_login_receives_the_approved_token(mockplex, login_class):
    login = login_class()
    code = login.pin
    assert re.fullmatch(r"[A-Z0-9]{4}", code)
    pin = pin_with_code(mockplex, code)
    assert pin["expiresIn"] == 900
    login.run(timeout=30)
    token = mockplex.verify(pin["id"], "plexapiToken12345678")
    assert login.waitForLogin() is True
    assert login.token == token == "plexapiToken12345678"
    assert not login.expired


def test_oauth_login_uses_a_strong_pin(mockplex, login_class):
    login = login_class(oauth=True)
    url = login.oauthUrl(forwardUrl="http://app.test/done")
    code = re.search(r"[?&]code=([a-z0-9]+)", url).group(1)
    assert len(code) == 25
    pin = pin_with_code(mockplex, code)
    assert pin["expiresIn"] == 1800
    mockplex.verify(pin["id"])
    login.run(timeout=30)
    assert login.waitForLogin() is True
    assert login.token == DEFAULT_TOKEN


def test_an_expired_pin_ends_the_login_as_expired(mockplex, login_class):
    login = login_class()
    pin = pin_with_code(mockplex, login.pin)
    mockplex.expire(pin["id"])
    login.run(timeout=30)
    assert login.waitForLogin() is False
    assert login.expired is True
    assert login.token is None


def test_check_login_without_a_thread(mockplex, login_class):
    login = login_class()
    pin = pin_with_code(mockplex, login.pin)
    assert login.checkLogin() is False
    mockplex.verify(pin["id"])
    assert login.checkLogin() is True
    assert login.token == DEFAULT_TOKEN
