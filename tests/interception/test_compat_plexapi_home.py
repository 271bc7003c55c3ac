"""python-plexapi 4.18.x, unchanged, through interception: a Plex Home's managed users.
``createHomeUser`` (the new user's id read from the XML answer, then its share),
``users()`` showing it as home, ``switchHomeUser`` with and without a PIN and with a
wrong one, ``removeHomeUser``, and the account's own home as ``MyPlexAccount`` reads it."""

from __future__ import annotations

import pytest
from plexapi.exceptions import NotFound, Unauthorized
from plexapi.myplex import MyPlexAccount


@pytest.fixture
def owner(plex):
    plex.add_server("Den", connections=["http://127.0.0.1:1"])
    return MyPlexAccount(token=plex.store.default_account.auth_token)


def test_create_home_user_and_see_it_as_home(plex, owner):
    machine_id = plex.store.server("Den").machine_identifier
    created, shared = owner.createHomeUser("Bobby", machine_id)
    [bobby] = [user for user in owner.users() if user.title == "Bobby"]
    assert bobby.id == int(created.attrib["id"]) and owner.user("Bobby").id == bobby.id
    assert (bobby.home, bobby.username, bobby.email, bobby.restricted, bobby.protected) == (
        True, "", "", "0", False)
    managed = plex.store.account_by_id(bobby.id)
    assert (managed.home_of, managed.title, managed.password) == ("mockplex", "Bobby", None)
    [share] = plex.shares  # createHomeUser's share: made at once, no invite to accept
    assert (share.server, share.user) == ("Den", managed.username) and plex.invites == []
    assert shared[0].attrib["accessToken"] == share.access_token
    assert [server.name for server in bobby.servers] == ["Den"]


def test_switch_to_a_home_user_without_a_pin(plex, owner):
    teen = plex.create_user("teen", home_of="mockplex")
    switched = owner.switchHomeUser("teen")
    assert switched.authenticationToken == teen.auth_token
    assert switched.title == "teen" and switched.id == teen.id


def test_switch_with_the_pin_and_with_a_wrong_one(plex, owner):
    kid = plex.create_user("kid", home_of="mockplex", restricted=True, pin="1234")
    users = {user.title: user for user in owner.users()}
    assert users["kid"].protected is True and users["kid"].restricted == "1"
    assert owner.switchHomeUser("kid", pin="1234").authenticationToken == kid.auth_token
    with pytest.raises(Unauthorized, match="Invalid PIN"):
        owner.switchHomeUser("kid", pin="0000")
    with pytest.raises(Unauthorized, match="Invalid PIN"):
        owner.switchHomeUser("kid")


def test_remove_home_user(plex, owner):
    plex.create_user("kid", home_of="mockplex")
    owner.removeHomeUser("kid")
    assert "kid" not in [user.title for user in owner.users()]
    with pytest.raises(NotFound):
        owner.user("kid")


def test_the_account_says_its_home(plex):
    """``/api/v2/user`` as python-plexapi's MyPlexAccount reads it: a home of one, an owner
    with managed users (its admin), and a managed user (restricted, with a PIN)."""
    token = plex.store.default_account.auth_token
    alone = MyPlexAccount(token=token)
    assert (alone.home, alone.homeAdmin, alone.homeSize) == (False, False, 1)
    kid = plex.create_user("kid", home_of="mockplex", restricted=True, pin="1234")
    plex.create_user("teen", home_of="mockplex")
    owner = MyPlexAccount(token=token)
    assert (owner.home, owner.homeAdmin, owner.homeSize, owner.restricted,
            owner.protected) == (True, True, 3, False, False)
    as_kid = MyPlexAccount(token=kid.auth_token)
    assert (as_kid.home, as_kid.homeAdmin, as_kid.homeSize, as_kid.restricted,
            as_kid.protected) == (True, False, 3, True, True)
