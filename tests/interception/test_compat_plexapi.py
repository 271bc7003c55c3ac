"""python-plexapi 4.18.x, unchanged, against https://plex.tv answered by interception."""

from __future__ import annotations

import re

import pytest
from plexapi.exceptions import Unauthorized
from plexapi.myplex import MyPlexAccount, MyPlexPinLogin


@pytest.fixture
def plex(mockplex, monkeypatch):
    monkeypatch.setattr(MyPlexPinLogin, "POLLINTERVAL", 0.01)  # plexapi polls every 1 s
    with mockplex.intercept() as plex:
        yield plex


def pin_id_for(plex, code: str) -> int:
    [pin] = [pin for pin in plex.pins if pin["code"] == code]
    return pin["id"]


def test_pin_flow_approved_by_a_second_account_through_link(plex):
    bob = plex.create_user("bob", email="bob@x.test")
    login = MyPlexPinLogin()
    code = login.pin
    login.run(timeout=30)
    MyPlexAccount(token=bob.auth_token).link(code)  # PUT /api/v2/pins/link
    assert login.waitForLogin() is True
    assert login.token == bob.auth_token
    account = MyPlexAccount(token=login.token)  # GET /api/v2/user
    assert (account.username, account.email, account.id) == ("bob", "bob@x.test", bob.id)
    assert account.subscriptionActive is False


def test_oauth_flow_approved_through_the_control_api(plex):
    alice = plex.create_user("alice", email="alice@x.test", title="Alice")
    login = MyPlexPinLogin(oauth=True)
    url = login.oauthUrl(forwardUrl="http://app.test/done")
    assert url.startswith("https://app.plex.tv/auth/#!?")
    code = re.search(r"[?&]code=([a-z0-9]{25})(&|$)", url).group(1)
    plex.verify(pin_id_for(plex, code), user="alice")
    login.run(timeout=30)
    assert login.waitForLogin() is True
    assert login.token == alice.auth_token
    account = MyPlexAccount(token=login.token)
    assert (account.username, account.email, account.title) == ("alice", "alice@x.test",
                                                                 "Alice")


def test_an_expired_pin_ends_the_login(plex):
    login = MyPlexPinLogin()
    plex.expire(pin_id_for(plex, login.pin))
    login.run(timeout=30)
    assert login.waitForLogin() is False and login.expired


@pytest.mark.parametrize("revoked", [False, True])
def test_a_bad_token_is_unauthorized(plex, revoked):
    token = plex.default_user.auth_token if revoked else "not-a-token"
    if revoked:
        plex.revoke(token)
    with pytest.raises(Unauthorized, match="Invalid token" if revoked else "401"):
        MyPlexAccount(token=token)
