"""Invites and sharing on plex.tv's older routes: a server read, an invite, the invited's
and the owner's pending lists, accepting, cancelling, and the sharing ended."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from mockplex.domain.limits import INVITES_MAX
from mockplex.plextv.sharing import SECTION_ID_BASE

OUT = "http://127.0.0.1:1"  # a server given connections: nothing listens for it


@pytest.fixture
def cast(store):
    """An owner with a server of two libraries, and an account to invite."""
    owner = store.create_account("owner", email="owner@x.test")
    friend = store.create_account("friend", email="friend@x.test")
    server = store.add_server("Den", owner="owner", connections=[OUT], libraries=[
        {"title": "Movies", "type": "movie"}, {"title": "Shows", "type": "show"}])
    return owner, friend, server


def token(account):
    return {"X-Plex-Token": account.auth_token}


def xml(response):
    assert response.content_type.startswith("application/xml"), response.data
    return ElementTree.fromstring(response.data)


def errors(response, status):
    assert response.status_code == status, response.data
    error = xml(response).find("error")
    assert error is not None and error.get("status") == str(status) and error.get("code")
    return error.get("message")


def invite(client, owner, server, login, ids=()):
    return client.post(f"/api/servers/{server.machine_identifier}/shared_servers",
                       headers=token(owner), json={
                           "server_id": server.machine_identifier,
                           "shared_server": {"library_section_ids": list(ids),
                                             "invited_email": login},
                           "sharing_settings": {"allowSync": "0"}})


def test_the_server_and_its_sections_as_python_plexapi_reads_them(client, cast):
    owner, _, server = cast
    root = xml(client.get(f"/api/servers/{server.machine_identifier}", headers=token(owner)))
    found = root[0]
    assert found.tag == "Server" and found.get("machineIdentifier") == server.machine_identifier
    assert found.get("owned") == "1" and found.get("accessToken") == server.access_token
    sections = [(s.get("id"), s.get("key"), s.get("title")) for s in found]
    assert sections == [(str(server.id * SECTION_ID_BASE + n), str(lib.key), lib.title)
                        for n, lib in enumerate(server.libraries, start=1)]


def test_a_server_not_the_callers_is_403_and_an_unknown_one_404(client, cast):
    _, friend, server = cast
    assert "not yours" in errors(client.get(f"/api/servers/{server.machine_identifier}",
                                            headers=token(friend)), 403)
    errors(client.get("/api/servers/nope", headers=token(friend)), 404)
    assert invite(client, friend, server, "owner").status_code == 403
    assert client.get(f"/api/servers/{server.machine_identifier}").status_code == 401


def test_an_invite_is_pending_both_ways_until_accepted_then_a_share(client, store, cast):
    owner, friend, server = cast
    section = server.id * SECTION_ID_BASE + 1
    made = xml(invite(client, owner, server, "FRIEND@x.test", [section]))[0]
    assert made.tag == "SharedServer" and made.get("userID") == str(friend.id)
    assert [s.get("shared") for s in made] == ["1", "0"]
    received = xml(client.get("/api/invites/requests", headers=token(friend)))
    [entry] = received
    assert (entry.get("id"), entry.get("username"), entry.get("email")) == (
        str(owner.id), "owner", "owner@x.test")
    assert entry[0].get("name") == "Den" and entry[0].get("pending") == "1"
    [entry] = xml(client.get("/api/invites/requested", headers=token(owner)))
    assert entry.get("username") == "friend"
    assert store.shares() == []

    accepted = client.put(f"/api/invites/requests/{owner.id}?friend=1&home=0&server=1",
                          headers=token(friend))
    assert accepted.status_code == 200
    [share] = store.shares()
    assert (share.server, share.user) == ("Den", "friend")
    assert len(xml(client.get("/api/invites/requests", headers=token(friend)))) == 0
    names = [r.get("name") for r in xml(client.get("/api/resources", headers=token(friend)))]
    assert names == ["Den"]
    users = xml(client.get("/api/users", headers=token(owner)))
    assert [u.get("username") for u in users] == ["friend"]
    # accepting twice: nothing is pending any more
    assert "no pending invite" in errors(client.put(
        f"/api/invites/requests/{owner.id}", headers=token(friend)), 404)
    # and a share is not invited again
    errors(invite(client, owner, server, "friend"), 409)


def test_removing_the_friend_ends_the_share(client, store, cast):
    owner, friend, _ = cast
    store.invite("Den", "friend")
    client.put(f"/api/invites/requests/{owner.id}", headers=token(friend))
    ended = client.delete(f"/api/v2/sharings/{friend.id}", headers=token(owner))
    assert ended.status_code == 204 and store.shares() == []
    assert len(xml(client.get("/api/resources", headers=token(friend)))) == 0
    assert client.delete(f"/api/v2/sharings/{friend.id}",
                         headers=token(owner)).status_code == 404


def test_the_owner_cancels_a_pending_invite(client, store, cast):
    owner, friend, _ = cast
    store.invite("Den", "friend")
    cancelled = client.delete(f"/api/invites/requested/{friend.id}?friend=1&home=0&server=1",
                              headers=token(owner))
    assert cancelled.status_code == 200 and store.invites() == []
    errors(client.delete(f"/api/invites/requested/{friend.id}", headers=token(owner)), 404)


@pytest.mark.parametrize(("login", "status", "code", "words"), [
    ("owner", 400, "1000", "owns the server"),
    ("nobody", 404, "1002", "User not found"),
])
def test_inviting_oneself_or_no_account_is_a_clean_4xx(client, cast, login, status, code,
                                                       words):
    owner, _, server = cast
    response = invite(client, owner, server, login)
    assert words in errors(response, status)
    assert xml(response).find("error").get("code") == code


def test_an_unknown_invited_id_is_plextvs_404(client, cast):
    owner, _, server = cast
    response = client.post(f"/api/servers/{server.machine_identifier}/shared_servers",
                           headers=token(owner),
                           json={"shared_server": {"invited_id": 987654321}})
    assert "User not found" in errors(response, 404)
    assert xml(response).find("error").get("code") == "1002"


@pytest.mark.parametrize("method_and_path", [
    ("put", "/api/invites/requests/abc"), ("delete", "/api/invites/requested/-1"),
    ("delete", "/api/v2/sharings/x"), ("put", "/api/invites/requests/" + "9" * 40),
])
def test_an_id_that_is_no_number_is_plextvs_400(client, cast, method_and_path):
    """Not a 404 of a route mockplex lacks (which fails --strict): plex.tv's 400."""
    owner, _, _ = cast
    method, path = method_and_path
    response = getattr(client, method)(path, headers={**token(owner),
                                                      "Accept": "application/xml"})
    assert "Invalid user id" in errors(response, 400)
    assert xml(response).find("error").get("code") == "1000"


def test_shared_servers_lists_the_share_as_accepted_with_its_sections(client, store, cast):
    owner, friend, server = cast
    films = server.libraries[0].key
    store.invite("Den", "friend", (films,))
    client.put(f"/api/invites/requests/{owner.id}", headers=token(friend))
    [share] = store.shares()
    assert share.sections == (films,)
    store.advance(3600)  # acceptedAt is when it was accepted, not when it is asked
    [listed] = xml(client.get(f"/api/servers/{server.machine_identifier}/shared_servers",
                              headers=token(owner)))
    assert (listed.get("userID"), listed.get("accessToken"), listed.get("acceptedAt"),
            listed.get("allLibraries")) == (str(friend.id), share.access_token,
                                            str(int(share.created_at)), "0")
    assert [s.get("shared") for s in listed.findall("Section")] == ["1", "0"]
    [user] = xml(client.get("/api/users", headers=token(owner)))
    assert (user[0].get("numLibraries"), user[0].get("allLibraries")) == ("1", "0")


def test_inviting_twice_is_409(client, cast):
    owner, _, server = cast
    assert invite(client, owner, server, "friend").status_code == 200
    assert "already" in errors(invite(client, owner, server, "friend"), 409)


@pytest.mark.parametrize("body", [
    None, {}, {"shared_server": []}, {"shared_server": {}},
    {"shared_server": {"invited_email": "friend", "library_section_ids": "1"}},
    {"shared_server": {"invited_email": "friend", "library_section_ids": [999]}},
    {"server_id": "other", "shared_server": {"invited_email": "friend"}},
    {"shared_server": {"invited_id": "\u00b2"}}, {"shared_server": {"invited_id": True}},
    {"shared_server": {"invited_email": "x" * 5000}},
])
def test_a_bad_invite_body_is_400(client, cast, body):
    owner, _, server = cast
    response = client.post(f"/api/servers/{server.machine_identifier}/shared_servers",
                           headers=token(owner), json=body)
    errors(response, 400)


def test_pending_invites_are_capped(client, store, cast):
    """The real cap (INVITES_MAX), laid down through the store, then met on the route."""
    owner, friend, server = cast
    store.invite("Den", friend.username)
    for number in range(INVITES_MAX - 1):
        store.invite("Den", store.create_account(f"u{number}").username)
    store.create_account("late")
    assert "INVITES_MAX" in errors(invite(client, owner, server, "late"), 429)
    assert len(store.invites()) == INVITES_MAX


def test_a_reset_forgets_the_invites(store, cast):
    store.invite("Den", "friend")
    store.reset()
    assert store.invites() == []


# -- set-up: the control API, a scenario, MockPlex ----------------------------------

def test_the_control_api_invites_and_lists_the_pending(client, cast):
    _, friend, _ = cast
    response = client.post("/_mockplex/invites", json={"server": "Den", "user": "friend"})
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert (made["server"], made["owner"], made["user"]) == ("Den", "owner", "friend")
    assert client.get("/_mockplex/invites").get_json() == [made]
    [entry] = xml(client.get("/api/invites/requests", headers=token(friend)))
    assert entry.get("username") == "owner"


@pytest.mark.parametrize(("body", "status"), [
    ({"server": "Nope", "user": "friend"}, 404), ({"server": "Den", "user": "zed"}, 404),
    ({"server": "Den", "user": "owner"}, 400), ({"server": "Den", "user": "friend"}, 409),
    ({"server": "Den"}, 400), ({"server": "Den", "user": "friend", "x": 1}, 400),
])
def test_a_bad_control_invite_is_refused(client, cast, body, status):
    client.post("/_mockplex/invites", json={"server": "Den", "user": "friend"})
    response = client.post("/_mockplex/invites", json=body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["errors"][0]["status"] == status


def test_a_scenario_lays_invites_down_and_names_a_bad_one():
    from mockplex import Store
    from mockplex.control.scenario import ScenarioError, load

    scenario = {"accounts": [{"username": "bob"}], "servers": [
        {"name": "Den", "connections": [OUT]}], "invites": [{"server": "Den", "user": "bob"}]}
    store = Store()
    load(store, scenario)
    [pending] = store.invites()
    assert (pending.server, pending.owner, pending.user) == ("Den", "mockplex", "bob")
    with pytest.raises(ScenarioError, match=r"invites\[0\].*'Gone'"):
        load(Store(), {**scenario, "invites": [{"server": "Gone", "user": "bob"}]})
    with pytest.raises(ScenarioError, match=r"invites\[0\]: .*owns the server"):
        load(Store(), {**scenario, "invites": [{"server": "Den", "user": "mockplex"}]})


def test_mockplex_invite(mockplex):
    mockplex.create_user("bob")
    mockplex.add_server("Den", connections=[OUT])
    made = mockplex.invite("Den", "bob")
    assert mockplex.invites == [made] and made.owner == "mockplex"


def test_the_owners_managed_user_is_shared_with_at_once(client, store, cast):
    owner, _, server = cast
    kid = store.create_account("kid", home_of="owner")
    made = xml(client.post(f"/api/servers/{server.machine_identifier}/shared_servers",
                           headers=token(owner), json={"shared_server": {
                               "library_section_ids": [], "invited_id": kid.id}}))[0]
    [share] = store.shares()
    assert (share.server, share.user) == ("Den", "kid") and store.invites() == []
    assert made.get("accessToken") == share.access_token and made.get("userID") == str(kid.id)


def test_another_homes_managed_user_is_not_invited(client, store, cast):
    owner, _, server = cast
    store.create_account("kid", home_of="friend")
    assert "another Plex Home" in errors(invite(client, owner, server, "kid"), 400)


def test_a_section_named_many_times_is_shared_once(client, store, cast):
    owner, friend, server = cast
    section = server.id * SECTION_ID_BASE + 2
    made = xml(invite(client, owner, server, "friend", [section] * 7000))[0]
    assert made.get("allLibraries") == "0" and [s.get("shared") for s in made] == ["0", "1"]
    [pending] = xml(client.get("/api/invites/requests", headers=token(friend)))
    assert pending[0].get("numLibraries") == "1"
    assert store.invites()[0].sections == (2,)


def test_every_section_named_is_all_of_them(client, store, cast):
    owner, _, server = cast
    ids = [server.id * SECTION_ID_BASE + n for n in (1, 2)]
    made = xml(invite(client, owner, server, "friend", ids))[0]
    assert made.get("allLibraries") == "1" and store.invites()[0].sections == ()


def test_one_share_and_its_sections_by_its_id(client, store, cast):
    owner, friend, server = cast
    share = store.share("Den", "friend", [2])
    path = f"/api/servers/{server.machine_identifier}/shared_servers"
    [found] = xml(client.get(f"{path}/{share.id}", headers=token(owner)))
    assert (found.get("id"), found.get("userID"), found.get("accessToken")) == (
        str(share.id), str(friend.id), share.access_token)
    assert [(s.get("key"), s.get("shared")) for s in found] == [("1", "0"), ("2", "1")]
    assert "no share" in errors(client.get(f"{path}/{share.id + 1}", headers=token(owner)),
                                404)
    assert "Invalid share id" in errors(client.get(f"{path}/x", headers=token(owner)), 400)
    errors(client.get(f"{path}/{share.id}", headers=token(friend)), 403)


def test_a_long_number_a_client_sent_is_cut_in_the_message(client, cast):
    owner, _, server = cast
    path = f"/api/servers/{server.machine_identifier}/shared_servers"
    ones, nines = "1" * 4000, "9" * 4000  # JSON numbers too long for any id
    for shared in (f'{{"invited_id": {ones}}}',
                   f'{{"invited_email": "friend", "library_section_ids": [{nines}]}}'):
        response = client.post(path, data=f'{{"shared_server": {shared}}}',
                               content_type="application/json", headers=token(owner))
        message = errors(response, response.status_code)
        assert response.status_code in (400, 404) and len(message) < 200, message
