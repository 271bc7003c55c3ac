"""python-plexapi 4.18.x, unchanged, through the rest of a sign-in: password sign-in
(with two-factor), ping, resources (owned and shared), users (friends) and sign-out,
against https://plex.tv answered by interception."""

from __future__ import annotations

import socket

import pytest
from plexapi.exceptions import TwoFactorRequired, Unauthorized
from plexapi.myplex import MyPlexAccount


def test_password_sign_in_by_username_or_email(plex):
    alice = plex.create_user("alice", password="s3cret", email="alice@x.test")
    for login in ("alice", "ALICE@x.test"):
        account = MyPlexAccount(login, "s3cret")  # POST /api/v2/users/signin
        assert (account.username, account.authToken) == ("alice", alice.auth_token)
        assert account.twoFactorEnabled is False


def test_a_wrong_password_is_unauthorized(plex):
    plex.create_user("alice", password="s3cret")
    with pytest.raises(Unauthorized, match=r"\(401\)") as raised:
        MyPlexAccount("alice", "wrong")
    assert not isinstance(raised.value, TwoFactorRequired)


def test_two_factor_sign_in_needs_the_code(plex):
    alice = plex.create_user("alice", password="s3cret", verification_code="123456")
    with pytest.raises(TwoFactorRequired):
        MyPlexAccount("alice", "s3cret")
    account = MyPlexAccount("alice", "s3cret", code="123456")
    assert account.authToken == alice.auth_token and account.twoFactorEnabled is True
    with pytest.raises(Unauthorized):
        MyPlexAccount("alice", "s3cret", code="654321")
    # plex.tv's way for apps with no code field: the code after the password
    assert MyPlexAccount("alice", "s3cret123456").authToken == alice.auth_token


def test_ping(plex):
    assert MyPlexAccount(token=plex.default_user.auth_token).ping() is True


def test_resources_owned_and_shared(plex):
    plex.create_user("alice", password="pw")
    home = plex.add_server("Home", product_version="1.40.0.1-abc", platform="Linux",
                           connections=["http://127.0.0.1:1"])
    share = plex.share("Home", "alice")
    plex.add_server("Cabin", owner="alice")

    [own] = MyPlexAccount(token=plex.default_user.auth_token).resources()
    assert (own.name, own.clientIdentifier, own.owned) == ("Home", home.machine_identifier,
                                                          True)
    assert (own.accessToken, own.productVersion, own.platform, own.presence) == (
        home.access_token, "1.40.0.1-abc", "Linux", True)
    assert own.provides == "server" and own.createdAt is not None
    [connection] = own.connections
    assert (connection.protocol, connection.address, connection.port, connection.local,
            connection.uri) == ("http", "127.0.0.1", 1, True, "http://127.0.0.1:1")

    resources = {r.name: r for r in MyPlexAccount("alice", "pw").resources()}
    assert resources["Cabin"].owned is True
    shared = resources["Home"]
    assert (shared.owned, shared.accessToken, shared.sourceTitle) == (False, share.access_token,
                                                                      "mockplex")
    assert shared.ownerId == plex.default_user.id


def test_a_refusing_connection_refuses_at_once(plex):
    """An app's next call, to a server modelled as not answering, fails fast and stays
    on this machine (a live server's connections answer: test_compat_plexapi_servers)."""
    plex.add_server("Home", connections=["http://127.0.0.1:1"])
    [resource] = MyPlexAccount(token=plex.default_user.auth_token).resources()
    [connection] = resource.connections
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((connection.address, connection.port), timeout=5).close()


def test_users_are_the_friends_servers_are_shared_with(plex):
    bob = plex.create_user("bob", email="bob@x.test", password="pw")
    home = plex.add_server("Home")
    plex.share("Home", "bob")
    [friend] = MyPlexAccount(token=plex.default_user.auth_token).users()
    assert (friend.id, friend.username, friend.email, friend.title) == (
        bob.id, "bob", "bob@x.test", "bob")
    [server] = friend.servers
    assert (server.machineIdentifier, server.name, server.owned) == (
        home.machine_identifier, "Home", True)
    [owner] = MyPlexAccount("bob", "pw").users()  # friends both ways
    assert owner.username == "mockplex" and owner.servers[0].owned is False


def test_sign_out_ends_the_token(plex):
    plex.create_user("alice", password="pw")
    account = MyPlexAccount("alice", "pw")
    token = account.authToken
    account.signout()  # DELETE /api/v2/users/signout
    with pytest.raises(Unauthorized, match="Invalid token"):
        MyPlexAccount(token=token)
    again = MyPlexAccount("alice", "pw")  # signing in again gives a new, working token
    assert again.authToken != token and again.ping() is True
