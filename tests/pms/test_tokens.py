"""Tokens as a Plex Media Server checks them: the X-Plex-Token header, or the query;
the owner's account token, the server's access token, a share's access token or the
friend's own account token open it; anything else is 401 in the server's own shape.
``/identity`` is open; ``/library``, ``/accounts``, ``/:/prefs`` and ``/status/sessions``
are the owner's alone (403 to a friend)."""

from __future__ import annotations

import pytest

UNAUTHORIZED = (b"<html><head><title>Unauthorized</title></head>"
                b"<body><h1>401 Unauthorized</h1></body></html>")
EVERYONES = ["/", "/library/sections", "/library/sections/", "/library/sections/1/all",
             "/library/metadata/101", "/clients"]
OWNERS = ["/library", "/accounts", "/:/prefs", "/status/sessions"]
FORBIDDEN = b"<html><head><title>Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>"


@pytest.fixture
def bob(store, home):
    """A friend the server is shared with: its account and the share."""
    account = store.create_account("bob")
    return account, store.share("Home", "bob")


def assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "text/html"
    assert response.data == UNAUTHORIZED


@pytest.mark.parametrize("path", EVERYONES + OWNERS)
@pytest.mark.parametrize("whose", ["owner's account", "server's access"])
def test_the_owners_tokens_open_every_route(ask, home, owner_token, path, whose):
    token = owner_token if whose == "owner's account" else home.access_token
    assert ask(path, token=token).status_code == 200


@pytest.mark.parametrize("path", EVERYONES)
@pytest.mark.parametrize("whose", ["share's access", "friend's account"])
def test_a_friends_tokens_open_the_server(ask, bob, path, whose):
    account, share = bob
    token = share.access_token if whose == "share's access" else account.auth_token
    assert ask(path, token=token).status_code == 200


@pytest.mark.parametrize("path", OWNERS)
@pytest.mark.parametrize("whose", ["share's access", "friend's account"])
def test_a_friend_is_forbidden_what_is_the_owners(ask, bob, path, whose):
    account, share = bob
    response = ask(path, token=share.access_token if whose == "share's access"
                   else account.auth_token)
    assert (response.status_code, response.data) == (403, FORBIDDEN)
    assert response.headers["Content-Type"] == "text/html"


@pytest.mark.parametrize("path", EVERYONES + OWNERS)
@pytest.mark.parametrize("token", [None, "", "not-a-token", "MockPlexDefaultToken "])
def test_no_token_or_a_wrong_one_is_unauthorized(ask, path, token):
    assert_unauthorized(ask(path, token=token))


def test_another_servers_tokens_and_a_strangers_are_unauthorized(ask, store, home):
    store.create_account("eve")
    other = store.add_server("Other", owner="eve")
    shared = store.share("Other", "mockplex")
    assert_unauthorized(ask("/", token=other.access_token))
    assert_unauthorized(ask("/", token=store.account("eve").auth_token))
    assert ask("/", server=other, token=shared.access_token).status_code == 200
    assert_unauthorized(ask("/", token=shared.access_token))  # Other's share, not Home's


def test_a_revoked_token_is_unauthorized(ask, store, owner_token):
    new = store.revoke(owner_token)
    assert_unauthorized(ask("/", token=owner_token))
    assert ask("/", token=new.auth_token).status_code == 200


@pytest.mark.parametrize("name", ["X-Plex-Token", "x-plex-token", "X-PLEX-TOKEN"])
def test_the_token_may_come_in_the_query_its_name_in_any_case(ask, home, name):
    """As plex.tv's side reads it (mockplex.domain.xplex)."""
    assert ask("/", token=None, query_string={name: home.access_token}).status_code == 200
    assert_unauthorized(ask("/", token=None, query_string={name: "wrong"}))


@pytest.mark.parametrize("name", ["x-plex-token", "X-PLEX-TOKEN"])
def test_the_headers_name_is_read_in_any_case(ask, home, name):
    assert ask("/", token=None, headers={name: home.access_token}).status_code == 200


def test_the_header_wins_even_empty_as_on_plex_tvs_side(ask, home):
    assert_unauthorized(ask("/", token="", query_string={"X-Plex-Token": home.access_token}))


def test_the_header_wins_over_the_query(ask, home):
    assert_unauthorized(ask("/", token="wrong", query_string={"X-Plex-Token": home.access_token}))
    assert ask("/", token=home.access_token, query_string={"X-Plex-Token": "wrong"}
               ).status_code == 200


@pytest.mark.parametrize("token", [None, "wrong"])
def test_identity_is_open(ask, token):
    assert ask("/identity", token=token).status_code == 200


def test_a_401_is_the_same_whatever_was_asked_for(ask):
    assert_unauthorized(ask("/", token=None, headers={"Accept": "application/json"}))
