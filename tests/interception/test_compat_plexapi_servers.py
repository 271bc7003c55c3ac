"""python-plexapi 4.18.x, unchanged, from the token to the first library of a live fake
server: ``MyPlexAccount(token).resource(name).connect()`` tries every connection plex.tv
lists (its plex.direct names answered in this process by interception, its loopback
address on the server's own socket) and reads the server as a set-up wizard does."""

from __future__ import annotations

import pytest
from plexapi.exceptions import BadRequest, NotFound, Unauthorized
from plexapi.myplex import MyPlexAccount
from plexapi.server import PlexServer

LIBRARIES = [{"title": "Films", "type": "movie", "items": ["Heat", {"title": "Up", "year": 2009}]},
             {"title": "Series", "type": "show"}]


def test_the_owner_connects_and_reads_the_libraries_and_accounts(plex):
    server = plex.add_server("Home", libraries=LIBRARIES)
    account = MyPlexAccount(token=plex.store.default_account.auth_token)
    resource = account.resource("Home")
    assert resource.clientIdentifier == server.machine_identifier
    pms = resource.connect(timeout=5)
    # The first connection plex.tv lists, in plexapi's order: local, https.
    assert pms._baseurl.startswith(f"https://127-0-0-1.{server.direct_hash}.plex.direct:")
    assert (pms.machineIdentifier, pms.friendlyName) == (server.machine_identifier, "Home")
    assert (pms.version, pms.platform) == (server.product_version, server.platform)
    assert pms.myPlexUsername == account.email or pms.myPlexUsername == account.username
    sections = pms.library.sections()
    assert [(section.title, section.type) for section in sections] == [
        ("Films", "movie"), ("Series", "show")]
    assert [(movie.title, movie.year) for movie in pms.library.section("Films").all()] == [
        ("Heat", None), ("Up", 2009)]
    assert pms.library.section("Series").all() == []
    assert "mockplex" in [system.name for system in pms.systemAccounts()]
    assert {entry.server for entry in plex.requests if entry.path == "/library/sections"} == {
        "Home"}


def test_a_friend_connects_to_the_shared_server_through_its_remote_connection(plex):
    bob = plex.create_user("bob", email="bob@x.test")
    server = plex.add_server("Shared")
    plex.share("Shared", "bob")
    resource = MyPlexAccount(token=bob.auth_token).resource("Shared")
    assert resource.owned is False
    pms = resource.connect(timeout=5)  # plexapi tries only the non-local connections here
    assert pms.machineIdentifier == server.machine_identifier
    assert [section.title for section in pms.library.sections()] == ["Movies", "TV Shows"]
    with pytest.raises(BadRequest, match="403"):  # the owner's alone, as on a real server
        pms.systemAccounts()


def test_a_wrong_token_is_unauthorized(plex):
    plex.add_server("Home")
    with pytest.raises(Unauthorized):
        PlexServer(plex.server_url("Home"), token="not-a-token", timeout=5)


def test_a_server_given_dead_connections_is_not_found(plex):
    plex.add_server("Dead", connections=["http://127.0.0.1:1"])
    resource = MyPlexAccount(token=plex.store.default_account.auth_token).resource("Dead")
    with pytest.raises(NotFound, match="Dead"):
        resource.connect(timeout=5)
