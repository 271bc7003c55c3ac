"""The control API's accounts with passwords, servers and shares: what a test in any
language uses to set up the sign-in around the PIN; and the handle's servers."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
import requests

from mockplex import MockPlex, MockplexError, Store, create_app, store_of
from mockplex.domain.limits import ITEMS_MAX, LIBRARIES_MAX, LIVE_SERVERS_MAX
from mockplex.domain.servers import REFUSING, ServerNotFound
from mockplex.handle import NotListening
from tests.values import HEADERS


def test_a_user_created_with_a_password_signs_in(client):
    password = "correct horse battery staple"  # no made-up value holds it by chance
    created = client.post("/_mockplex/users", json={
        "username": "alice", "password": password, "verificationCode": "42"})
    assert created.status_code == 201
    assert created.get_json()["hasPassword"] and created.get_json()["twoFactorEnabled"]
    assert password not in created.get_data(as_text=True)  # the password is never shown
    ok = client.post("/api/v2/users/signin.json", headers=HEADERS,
                     data={"login": "alice", "password": password, "verificationCode": "42"})
    assert ok.status_code == 201


def test_a_server_given_no_connections_is_live_with_made_up_values(client):
    response = client.post("/_mockplex/servers", json={"name": "Home"})
    assert response.status_code == 201
    server = response.get_json()
    assert (server["name"], server["owner"]) == ("Home", "mockplex")
    assert len(server["machineIdentifier"]) == 40 and len(server["accessToken"]) == 20
    # live, and not listening: the test client runs no listener, so plex.tv lists nothing
    assert (server["live"], server["port"], server["connections"]) == (True, None, [])
    assert [(library["key"], library["title"], library["type"], library["items"])
            for library in server["libraries"]] == [
        (1, "Movies", "movie", []), (2, "TV Shows", "show", [])]
    assert client.get("/_mockplex/servers").get_json() == [server]


def test_a_listening_server_lists_its_port_and_the_connections_plex_tv_lists(client, store):
    server = client.post("/_mockplex/servers", json={"name": "Home"}).get_json()
    live = store.server("Home")
    store.listen(live.machine_identifier, 32999)
    [listed] = client.get("/_mockplex/servers").get_json()
    assert (listed["live"], listed["port"]) == (True, 32999)
    direct = f"https://127-0-0-1.{live.direct_hash}.plex.direct:32999"
    assert listed["connections"] == [
        {"uri": direct, "local": True, "relay": False},
        {"uri": "http://127.0.0.1:32999", "local": True, "relay": False},
        {"uri": direct, "local": False, "relay": False},
        {"uri": "http://127.0.0.1:32999", "local": False, "relay": False}]
    assert {**listed, "port": None, "connections": []} == server
    store.listen(live.machine_identifier, None)
    [stopped] = client.get("/_mockplex/servers").get_json()
    assert (stopped["port"], stopped["connections"]) == (None, [])


def test_a_server_takes_its_libraries_and_makes_up_the_rest(client):
    libraries = [{"title": "Films", "type": "movie", "items": ["Heat", {"title": "Up",
                                                                        "year": 2009}]},
                 {"title": "Music", "type": "artist", "agent": "com.example.agent",
                  "scanner": "Custom", "language": "de-DE", "location": "/srv/music"}]
    response = client.post("/_mockplex/servers", json={"name": "Home",
                                                       "libraries": libraries})
    assert response.status_code == 201
    films, music = response.get_json()["libraries"]
    assert {key: films[key] for key in ("key", "title", "type", "agent", "scanner",
                                        "language", "location")} == {
        "key": 1, "title": "Films", "type": "movie", "agent": "tv.plex.agents.movie",
        "scanner": "Plex Movie", "language": "en-US", "location": "/data/movies"}
    assert [(item["title"], item["type"], item["year"]) for item in films["items"]] == [
        ("Heat", "movie", None), ("Up", "movie", 2009)]
    assert len({item["ratingKey"] for item in films["items"]}) == 2
    assert {key: music[key] for key in libraries[1] if key != "items"} == {
        key: value for key, value in libraries[1].items() if key != "items"}
    assert (music["key"], music["items"]) == (2, [])
    assert films["uuid"] != music["uuid"] and len(films["uuid"]) == 36


def test_a_server_may_have_no_libraries(client):
    server = client.post("/_mockplex/servers", json={"name": "Empty", "libraries": []})
    assert (server.status_code, server.get_json()["libraries"]) == (201, [])


@pytest.mark.parametrize(("libraries", "message"), [
    ([{"title": "A", "type": "film"}], "'type': ['Must be one of: movie, show, artist, photo"),
    ([{"type": "movie"}], "'title': ['Missing data"),
    ([{"title": "", "type": "movie"}], "'title': ['Length must be between 1"),
    ([{"title": "A", "type": "movie"}, {"title": "A", "type": "show"}],
     "libraries: [\"a server has one library titled 'A', not two\"]"),
    ([{"title": "A", "type": "movie", "colour": "red"}], "'colour': ['Unknown field"),
    ([{"title": "A", "type": "movie", "items": [7]}], "an item is a title"),
    ([{"title": "A", "type": "movie", "items": [{"title": "x", "year": 1066}]}],
     "'year': ['Must be greater than or equal to 1800"),
    ([{"title": "A", "type": "movie", "items": [{"title": "x", "year": True}]}],
     "'year': ['Not a valid integer"),
    ([{"title": "A", "type": "movie", "items": [{"year": 2000}]}], "'title': ['Missing data"),
    ([{"title": "A", "type": "movie", "items": ["x"] * (ITEMS_MAX + 1)}],
     "'items': ['Longer than maximum length 500"),
    ([{"title": f"L{n}", "type": "photo"} for n in range(LIBRARIES_MAX + 1)],
     "libraries: ['Longer than maximum length 16"),
    ({"title": "A", "type": "movie"}, "libraries: ['Not a valid list"),
])
def test_a_bad_library_is_a_400_naming_the_field(client, libraries, message):
    response = client.post("/_mockplex/servers", json={"name": "Home",
                                                       "libraries": libraries})
    assert response.status_code == 400
    assert message in response.get_json()["errors"][0]["message"]
    assert client.get("/_mockplex/servers").get_json() == []


def test_the_live_server_past_the_cap_is_a_400_naming_it(client, store):
    for number in range(LIVE_SERVERS_MAX):
        store.add_server(f"S{number}")
    response = client.post("/_mockplex/servers", json={"name": "One more"})
    assert response.status_code == 400
    message = response.get_json()["errors"][0]["message"]
    assert f"at most {LIVE_SERVERS_MAX} servers" in message and "LIVE_SERVERS_MAX" in message
    dead = client.post("/_mockplex/servers", json={"name": "Dead", "connections": [REFUSING]})
    assert (dead.status_code, dead.get_json()["live"]) == (201, False)  # not counted
    assert client.get("/_mockplex/health").status_code == 200


def test_a_server_takes_its_values_and_a_fake_media_server_url(client):
    client.post("/_mockplex/users", json={"username": "alice"})
    body = {"name": "Home", "owner": "alice", "machineIdentifier": "m1",
            "accessToken": "tok", "connections": ["http://127.0.0.1:32401",
                                                  {"uri": "https://plex.example.test",
                                                   "local": False}],
            "productVersion": "1.2.3", "platform": "Windows", "httpsRequired": True}
    server = client.post("/_mockplex/servers", json=body).get_json()
    assert {key: server[key] for key in body if key != "connections"} == {
        key: value for key, value in body.items() if key != "connections"}
    kept = [{"uri": "http://127.0.0.1:32401", "local": True, "relay": False},
            {"uri": "https://plex.example.test", "local": False, "relay": False}]
    assert (server["live"], server["port"], server["connections"]) == (False, None, kept)
    assert client.get("/_mockplex/servers").get_json()[0]["connections"] == kept


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"name": "S", "owner": "zed"}, 404, "no account has the username 'zed'"),
    ({"name": "S", "connections": ["http://x/path"]}, 400, "Not a connection URL"),
    ({"name": "S", "connections": [{"uri": "http://x", "local": "yes"}]}, 400, "local"),
    ({"name": "S", "connections": [7]}, 400, "a connection is a URL"),
    ({"name": ""}, 400, "name"),
    ({"name": "S", "colour": "red"}, 400, "colour: ['Unknown field.']"),
    ({"name": "S", "live": False}, 400, "live: ['Unknown field.']"),  # listed, not given
    ({"name": "S", "port": 32400}, 400, "port: ['Unknown field.']"),
])
def test_a_bad_server_is_refused_with_a_reason(client, body, status, message):
    response = client.post("/_mockplex/servers", json=body)
    assert response.status_code == status
    assert message in response.get_json()["errors"][0]["message"]


def test_a_taken_name_or_machine_identifier_is_409(client):
    client.post("/_mockplex/servers", json={"name": "S", "machineIdentifier": "m"})
    for body in ({"name": "S"}, {"name": "T", "machineIdentifier": "m"}):
        assert client.post("/_mockplex/servers", json=body).status_code == 409


def test_a_share_makes_friends_and_gets_its_own_token(client):
    client.post("/_mockplex/users", json={"username": "bob"})
    server = client.post("/_mockplex/servers", json={"name": "Home"}).get_json()
    response = client.post("/_mockplex/shares", json={"server": "Home", "user": "bob"})
    assert response.status_code == 201
    share = response.get_json()
    assert (share["server"], share["user"]) == ("Home", "bob")
    assert share["accessToken"] != server["accessToken"]
    assert client.get("/_mockplex/shares").get_json() == [share]


@pytest.mark.parametrize(("body", "status"), [
    ({"server": "Nope", "user": "bob"}, 404), ({"server": "Home", "user": "zed"}, 404),
    ({"server": "Home", "user": "mockplex"}, 400), ({"server": "Home", "user": "bob"}, 409),
    ({"server": "Home"}, 400),
])
def test_a_bad_share_is_refused(client, body, status):
    client.post("/_mockplex/users", json={"username": "bob"})
    client.post("/_mockplex/servers", json={"name": "Home"})
    client.post("/_mockplex/shares", json={"server": "Home", "user": "bob"})
    response = client.post("/_mockplex/shares", json=body)
    assert response.status_code == status, response.get_json()


def test_reset_forgets_servers_and_shares(client, store):
    store.create_account("bob")
    store.add_server("Home")
    store.share("Home", "bob")
    client.post("/_mockplex/reset")
    assert (store.servers(), store.shares()) == ([], [])


def test_a_seed_makes_server_ids_and_tokens_reproducible():
    def lay_down(store: Store) -> tuple[str, str, str]:
        store.create_account("bob")
        server = store.add_server("Home")
        return server.machine_identifier, server.access_token, store.share(
            "Home", "bob").access_token

    app = create_app({"MOCKPLEX_SEED": 7})
    first = lay_down(store_of(app))
    store_of(app).reset()
    assert lay_down(store_of(app)) == first
    assert lay_down(Store(seed=7)) == first
    assert lay_down(Store(seed=8)) != first


# -- the same from Python: the handle ------------------------------------------------


def test_the_handle_adds_a_live_server_with_its_libraries():
    plex = MockPlex(Store(), "http://mock.invalid")
    server = plex.add_server("Home", libraries=[{"title": "Films", "type": "movie",
                                                 "items": ["Heat"]}])
    assert server.live and server.connections is None
    [films] = server.libraries
    assert (films.key, films.title, films.type, [item.title for item in films.items]) == (
        1, "Films", "movie", ["Heat"])
    assert [library.title for library in plex.add_server("Other").libraries] == [
        "Movies", "TV Shows"]
    dead = plex.add_server("Dead", connections=[REFUSING])
    assert not dead.live and [c.uri for c in dead.connections] == [REFUSING]
    with pytest.raises(ValueError, match="a library's type is one of"):
        plex.add_server("Bad", libraries=[{"title": "A", "type": "film"}])


def test_server_url_is_where_a_listening_live_server_answers():
    plex = MockPlex(Store(), "http://mock.invalid")
    server = plex.add_server("Home")
    with pytest.raises(NotListening, match="'Home' does not listen: a live server listens "
                                           "while the mock runs"):
        plex.server_url("Home")
    plex.store.listen(server.machine_identifier, 32999)
    assert plex.server_url("Home") == "http://127.0.0.1:32999"


def test_connections_are_those_plex_tv_lists_for_the_server_now():
    plex = MockPlex(Store(), "http://mock.invalid")
    server = plex.add_server("Home")
    assert plex.connections("Home") == ()  # not listening yet
    plex.store.listen(server.machine_identifier, 32999)
    direct = f"https://127-0-0-1.{server.direct_hash}.plex.direct:32999"
    assert [(c.uri, c.local) for c in plex.connections("Home")] == [
        (direct, True), ("http://127.0.0.1:32999", True), (direct, False),
        ("http://127.0.0.1:32999", False)]
    plex.add_server("Dead", connections=[REFUSING])
    assert [c.uri for c in plex.connections("Dead")] == [REFUSING]
    with pytest.raises(ServerNotFound):
        plex.connections("Nope")


def test_server_url_refuses_a_server_that_is_not_live_or_unknown():
    plex = MockPlex(Store(), "http://mock.invalid")
    plex.add_server("Dead", connections=[REFUSING])
    with pytest.raises(NotListening, match="'Dead' is not live: it was given connections"):
        plex.server_url("Dead")
    with pytest.raises(ServerNotFound, match="no server is named 'Nope'"):
        plex.server_url("Nope")
    assert issubclass(NotListening, MockplexError)


# -- faults for a server's requests ---------------------------------------------------


@pytest.mark.parametrize("server", ["Home", "*"])
def test_a_fault_for_a_server_is_kept_and_listed_with_it(client, store, server):
    body = {"method": "GET", "path": "/library/sections", "status": 503, "server": server}
    response = client.post("/_mockplex/faults", json=body)
    assert response.status_code == 201
    assert response.get_json()["server"] == server
    [fault] = store.faults.active()
    assert fault.server == server
    assert client.get("/_mockplex/faults").get_json()[0]["server"] == server


def test_a_fault_without_a_server_is_plex_tvs_as_before(client, store):
    response = client.post("/_mockplex/faults", json={"path": "/api/v2/user", "status": 500})
    assert response.get_json()["server"] is None
    assert store.faults.active()[0].server is None


@pytest.mark.parametrize(("server", "message"), [
    ("", "server: ['Length must be between 1"), (7, "server: ['Not a valid string"),
    ("x" * 1025, "server: ['Length must be between 1 and 1024"),
])
def test_a_bad_fault_server_is_a_400(client, server, message):
    response = client.post("/_mockplex/faults", json={"status": 500, "server": server})
    assert response.status_code == 400
    assert message in response.get_json()["errors"][0]["message"]


def test_the_handle_injects_a_fault_for_a_server():
    plex = MockPlex(Store(), "http://mock.invalid")
    fault = plex.fail("GET", "/identity", status=500, times=1, server="Home")
    assert plex.faults == [fault] and fault.server == "Home"
    assert plex.fail(status=502).server is None


# -- over a real socket: the mock running, each live server listening ---------------


def identity_of(url: str) -> str:
    answer = requests.get(url + "/identity", timeout=5)
    assert answer.status_code == 200, answer.text
    return ElementTree.fromstring(answer.content).get("machineIdentifier")


def test_a_live_server_added_over_the_control_api_listens_before_the_answer(mockplex):
    answer = requests.post(mockplex.url + "/_mockplex/servers", json={"name": "Home"},
                           timeout=5)
    assert answer.status_code == 201
    server = answer.json()
    port = server["port"]
    assert server["live"] and isinstance(port, int)
    assert [(c["uri"].split("://")[0], c["uri"].rsplit(":", 1)[1], c["local"])
            for c in server["connections"]] == [
        ("https", str(port), True), ("http", str(port), True), ("https", str(port), False),
        ("http", str(port), False)]
    assert f"http://127.0.0.1:{port}" in {c["uri"] for c in server["connections"]}
    assert mockplex.server_url("Home") == f"http://127.0.0.1:{port}"
    assert identity_of(f"http://127.0.0.1:{port}") == server["machineIdentifier"]
    assert requests.get(mockplex.url + "/_mockplex/servers", timeout=5).json() == [server]


def test_server_url_reaches_the_server_the_handle_added(mockplex):
    home = mockplex.add_server("Home")
    other = mockplex.add_server("Other")
    assert mockplex.server_url("Home") != mockplex.server_url("Other")
    assert identity_of(mockplex.server_url("Home")) == home.machine_identifier
    assert identity_of(mockplex.server_url("Other")) == other.machine_identifier
    mockplex.add_server("Dead", connections=[REFUSING])
    listed = {server["name"]: server for server in requests.get(
        mockplex.url + "/_mockplex/servers", timeout=5).json()}
    assert (listed["Dead"]["port"], listed["Dead"]["connections"]) == (
        None, [{"uri": REFUSING, "local": True, "relay": False}])
