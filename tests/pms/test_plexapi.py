"""python-plexapi, unchanged, reads a fake server as a set-up wizard does (``PlexServer``,
the libraries and their items, the system accounts, the settings, the clients and the
sessions), its requests handed to the server's app in the process; the same client
through the live sockets and plex.tv's connections is tests/interception's."""

from __future__ import annotations

import pytest
from plexapi.exceptions import BadRequest, NotFound, Unauthorized
from plexapi.server import PlexServer

BASE = "http://127.0.0.1:32400"  # any URL: the session hands every request to the app


@pytest.fixture
def connect(session_for, home):
    def make(token: str, server=home) -> PlexServer:
        return PlexServer(BASE, token=token, session=session_for(server), timeout=5)

    return make


def test_the_owner_reads_the_server_as_a_set_up_wizard_does(connect, home, store):
    pms = connect(store.default_account.auth_token)
    assert (pms.machineIdentifier, pms.friendlyName, pms.version, pms.platform) == (
        home.machine_identifier, "Home", home.product_version, "Linux")
    assert (pms.myPlex, pms.myPlexUsername, pms.myPlexSubscription) == (
        True, store.default_account.email, False)
    assert pms.updatedAt is not None and pms.transcoderActiveVideoSessions == 0
    assert [(s.key, s.title, s.type) for s in pms.library.sections()] == [
        (1, "Films", "movie"), (2, "Series", "show"), (3, "Music", "artist"),
        (4, "Photos", "photo")]
    films = pms.library.section("Films")
    assert films.locations == ["/data/movies"] and films.uuid == home.libraries[0].uuid
    assert [(movie.title, movie.year) for movie in films.all()] == [("Heat", None),
                                                                    ("Up", 2009)]
    assert films.totalSize == 2
    assert [show.title for show in pms.library.section("Series").all()] == ["Dark"]
    assert pms.library.section("Music").all() == []
    assert [(a.id, a.name) for a in pms.systemAccounts()] == [(0, ""), (1, "mockplex")]
    assert pms.settings.get("FriendlyName").value == "Home"
    assert pms.settings.get("sendCrashReports").value is True
    assert pms.clients() == [] and pms.sessions() == []
    assert pms.identity().machineIdentifier == home.machine_identifier


def test_a_friend_reads_the_libraries_but_not_the_owners_lists(connect, store, home):
    bob = store.create_account("bob")
    share = store.share("Home", "bob")
    for token in (share.access_token, bob.auth_token):
        pms = connect(token)
        assert pms.machineIdentifier == home.machine_identifier
        # /library is the owner's: plexapi reads /library/sections/ instead.
        assert [section.title for section in pms.library.sections()] == [
            "Films", "Series", "Music", "Photos"]
        with pytest.raises(BadRequest, match=r"\(403\)"):  # /accounts: the owner's too
            pms.systemAccounts()
    asked = [(entry.path, entry.status) for entry in store.journal.entries()][:5]
    assert asked == [("/", 200), ("/library", 403), ("/library/sections/", 200),
                     ("/library/sections", 200), ("/accounts", 403)]


def test_a_wrong_token_is_unauthorized(connect):
    with pytest.raises(Unauthorized):
        connect("not-a-token")


def test_an_unknown_section_is_not_found(connect, store):
    pms = connect(store.default_account.auth_token)
    with pytest.raises(NotFound):
        pms.library.section("Nope")
    with pytest.raises(NotFound):
        pms.query("/library/sections/99/all")
