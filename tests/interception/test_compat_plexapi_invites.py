"""python-plexapi 4.18.x, unchanged, through interception: the owner invites a friend to a
live fake server (``inviteFriend``, which reads the server's sections first), the friend
sees the invite (``pendingInvites``) and accepts it (``acceptInvite``), then its
``resources()`` list the server and ``connect()`` reaches it with the share's token; the
owner ends it (``removeFriend``), and cancels another (``cancelInvite``); and
``createExistingUser``, which names the account on ``/api/home/users`` first."""

from __future__ import annotations

import pytest
from plexapi.exceptions import BadRequest, NotFound
from plexapi.myplex import MyPlexAccount

LIBRARIES = [{"title": "Films", "type": "movie"}, {"title": "Series", "type": "show"}]


def test_invite_accept_connect_and_remove(plex):
    plex.create_user("bob", email="bob@x.test")
    server = plex.add_server("Den", libraries=LIBRARIES)
    owner = MyPlexAccount(token=plex.store.default_account.auth_token)
    bob = MyPlexAccount(token=plex.store.account("bob").auth_token)

    owner.inviteFriend("bob", server.machine_identifier, sections=["Films"])
    [sent] = owner.pendingInvites(includeReceived=False)
    assert (sent.username, sent.email, sent.servers[0].name) == ("bob", "bob@x.test", "Den")
    [received] = bob.pendingInvites(includeSent=False)
    assert (received.username, received.friend, received.server) == ("mockplex", True, True)
    assert [s.name for s in received.servers] == ["Den"]
    assert bob.resources() == []

    bob.acceptInvite(received.username)
    assert bob.pendingInvites() == []
    [resource] = bob.resources()
    assert (resource.name, resource.owned) == ("Den", False)
    pms = resource.connect(timeout=5)
    assert pms.machineIdentifier == server.machine_identifier
    with pytest.raises(NotFound):  # accepting twice: nothing is pending any more
        bob.acceptInvite("mockplex")

    [friend] = owner.users()
    assert friend.username == "bob"
    [shared] = friend.servers  # its sections(): what the share opens
    assert [(s.title, s.shared) for s in shared.sections()] == [("Films", True),
                                                               ("Series", False)]
    owner.removeFriend("bob")
    assert owner.users() == [] and bob.resources() == []
    assert plex.shares == []


def test_the_owner_cancels_and_bad_invites_are_refused(plex):
    plex.create_user("bob", email="bob@x.test")
    server = plex.add_server("Den")
    owner = MyPlexAccount(token=plex.store.default_account.auth_token)
    plex.invite("Den", "bob")
    owner.cancelInvite("bob")
    assert plex.invites == []
    with pytest.raises(BadRequest, match="owns the server"):
        owner.inviteFriend("mockplex", server.machine_identifier)
    owner.inviteFriend("bob@x.test", server.machine_identifier)
    with pytest.raises(BadRequest, match="409"):
        owner.inviteFriend("bob", server.machine_identifier)
    bob = MyPlexAccount(token=plex.store.account("bob").auth_token)
    with pytest.raises(BadRequest, match="403"):
        bob.inviteFriend("mockplex", server.machine_identifier)


def test_create_existing_user_invites_with_the_sections_chosen(plex):
    plex.create_user("bob", email="bob@x.test")
    server = plex.add_server("Den", libraries=LIBRARIES)
    owner = MyPlexAccount(token=plex.store.default_account.auth_token)
    bob = MyPlexAccount(token=plex.store.account("bob").auth_token)

    named, invited = owner.createExistingUser("bob@x.test", server.machine_identifier,
                                              sections=["Films"])
    assert (named.tag, named.attrib["username"], named.attrib["id"]) == (
        "User", "bob", str(bob.id))
    assert invited[0].attrib["userID"] == str(bob.id)
    bob.acceptInvite("mockplex")
    [share] = plex.shares
    assert (share.server, share.user, share.sections) == (
        "Den", "bob", (server.libraries[0].key,))
    friend = owner.user("bob")
    assert friend.get_token(server.machine_identifier) == share.access_token

    # a friend already: only /api/home/users is asked, and answers the account again
    again = owner.createExistingUser("bob", server.machine_identifier)
    assert again.attrib["username"] == "bob" and plex.shares == [share]
    with pytest.raises(NotFound, match="User not found"):
        owner.createExistingUser("nobody@x.test", server.machine_identifier)
