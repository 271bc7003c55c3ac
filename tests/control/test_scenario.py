"""Scenario files: a state to start from, checked before anything is applied."""

from __future__ import annotations

import json

import pytest
import requests

from mockplex import Store, create_app, store_of
from mockplex.control.scenario import ScenarioError, load
from mockplex.domain.limits import LIVE_SERVERS_MAX
from tests.values import FIXTURES

SCENARIO = FIXTURES / "scenario.json"


def test_the_example_lays_down_accounts_and_pins_in_every_state():
    store = Store()
    load(store, SCENARIO)
    assert [a.username for a in store.accounts()] == ["mockplex", "alice", "bob"]
    pending, approved, short = store.pins()
    assert (pending.id, pending.code, pending.product, pending.auth_token) == (
        308667304, "7RQZ", "Tautulli", None)
    assert (approved.strong, approved.auth_token) == (True, "AliceToken0123456789")
    assert short.expires_in(store.clock.now()) == 30
    assert "GONE" not in {pin.code for pin in store.pins()}  # the expired one


def test_the_example_lays_down_passwords_servers_and_shares():
    store = Store()
    load(store, SCENARIO)
    alice = store.sign_in("alice", "alice-password")
    assert alice.username == "alice"
    assert store.sign_in("bob", "bob-password", "123456").username == "bob"
    server, cabin = store.servers()
    assert (server.name, server.owner, server.access_token) == (
        "Alice's Plex", "alice", "AliceServerToken0001")
    assert not server.live and [(c.uri, c.local) for c in server.connections] == [
        ("http://127.0.0.1:1", True), ("https://media.example.test:32400", False)]
    assert cabin.live and [(library.title, library.type, library.location,
                            [(item.title, item.year) for item in library.items])
                           for library in cabin.libraries] == [
        ("Films", "movie", "/data/movies", [("Heat", None), ("Up", 2009)]),
        ("Music", "artist", "/srv/music", [])]
    [share] = store.shares()
    assert (share.server, share.user) == ("Alice's Plex", "bob")
    [(friend, _)] = store.friends(alice)
    assert friend.username == "bob"


def test_a_reset_lays_a_server_scenario_down_again():
    app = create_app({"MOCKPLEX_SCENARIO": str(SCENARIO)})
    store = store_of(app)
    store.approve(308667304)
    store.create_account("carol")
    store.reset()
    assert store.get_pin(308667304).auth_token is None
    assert [a.username for a in store.accounts()] == ["mockplex", "alice", "bob"]


@pytest.mark.parametrize(("scenario", "problem"), [
    ({"pins": [{"code": "AB12"}]}, "pins[0].clientIdentifier: Missing data"),
    ({"pins": [{"clientIdentifier": "c", "code": "ab12"}]}, "pins[0].code: must be 4 characters"),
    ({"pins": [{"clientIdentifier": "c", "strong": True, "code": "AB12"}]},
     "pins[0].code: must be 25 characters"),
    ({"pins": [{"clientIdentifier": "c", "id": 12}]}, "pins[0].id: must have 9 or 10 digits"),
    ({"pins": [{"clientIdentifier": "c"}, {"clientIdentifier": "c", "state": "approved",
                                            "approvedBy": "zed"}]},
     "pins[1].approvedBy: no account 'zed'"),
    ({"pins": [{"clientIdentifier": "c", "authToken": "t"}]}, "pins[0].state: only an approved"),
    ({"pins": [{"clientIdentifier": "c", "state": "lost"}]}, "pins[0].state: Must be one of"),
    ({"accounts": [{"username": "mockplex"}]}, "accounts[0]: an account with the username"),
    ({"accounts": [{"username": "a", "email": "nope"}]}, "accounts[0].email: Not an email address"),
    ({"pins": [{"clientIdentifier": "c", "code": "AB12"}, {"clientIdentifier": "c",
                                                           "code": "AB12"}]},
     "pins[1]: a live pin has the code 'AB12' already"),
    ({"autoApprove": "sometimes"}, "autoApprove: bad auto-approve rule"),
    ({"accounts": [{"username": "a", "verificationCode": "1"}]},
     "accounts[0].verificationCode: two-factor sign-in needs a password"),
    ({"servers": [{"name": "S", "owner": "zed"}]}, "servers[0].owner: no account 'zed'"),
    ({"servers": [{"name": "S", "connections": ["ftp://x"]}]},
     "servers[0].connections[0]: Not a connection URL"),
    ({"servers": [{"name": "S"}, {"name": "S"}]}, "servers[1]: a server named 'S' exists"),
    ({"servers": [{"name": "S", "colour": "red"}]}, "servers[0].colour: Unknown field"),
    ({"shares": [{"server": "S", "user": "mockplex"}]}, "shares[0].server: no server 'S'"),
    ({"servers": [{"name": "S"}], "shares": [{"server": "S", "user": "zed"}]},
     "shares[0].user: no user 'zed'"),
    ({"servers": [{"name": "S"}], "shares": [{"server": "S", "user": "mockplex"}]},
     "shares[0]: 'mockplex' owns the server 'S'"),
    ({"servers": [{"name": "S", "libraries": [{"title": "A", "type": "movie"},
                                              {"title": "B", "type": "film"}]}]},
     "servers[0].libraries[1].type: Must be one of: movie, show, artist, photo"),
    ({"servers": [{"name": "S", "libraries": [{"type": "movie"}]}]},
     "servers[0].libraries[0].title: Missing data"),
    ({"servers": [{"name": "S", "libraries": [{"title": "A", "type": "show",
                                              "items": ["x", {"title": "y", "year": 12}]}]}]},
     "servers[0].libraries[0].items[1].year: Must be greater than or equal to 1800"),
    ({"servers": [{"name": "S", "libraries": [{"title": "A", "type": "movie"},
                                              {"title": "A", "type": "show"}]}]},
     "servers[0].libraries: a server has one library titled 'A', not two"),
    ({"servers": [{"name": "S", "libraries": {"title": "A"}}]},
     "servers[0].libraries: Not a valid list"),
    ({"servers": [{"name": f"S{n}"} for n in range(LIVE_SERVERS_MAX + 1)]},
     f"servers[{LIVE_SERVERS_MAX}]: mockplex answers at most {LIVE_SERVERS_MAX} servers"),
    ({"pin": []}, "pin: Unknown field"),
    ([1, 2], "a scenario is a JSON object"),
])
def test_a_bad_scenario_names_the_file_the_entry_and_the_field(tmp_path, scenario, problem):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scenario))
    with pytest.raises(ScenarioError) as failure:
        load(Store(), path)
    assert str(failure.value).startswith(f"{path}: ")
    assert problem in str(failure.value)


def test_unreadable_files_are_named(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read it"):
        load(Store(), tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ScenarioError, match=r"broken\.json: not valid JSON"):
        load(Store(), tmp_path / "broken.json")


def test_serve_loads_a_scenario_file(serve):
    _, url = serve("--port", "0", "--scenario", str(SCENARIO))
    polled = requests.get(url + "/api/v2/pins/1272322473.json",
                          headers={"X-Plex-Client-Identifier": "overseerr-test"}, timeout=5)
    assert polled.json()["authToken"] == "AliceToken0123456789"
    user = requests.get(url + "/api/v2/user.json",
                        headers={"X-Plex-Token": "AliceToken0123456789"}, timeout=5)
    assert user.json()["email"] == "alice@example.com"


def test_serve_stops_on_a_bad_scenario_file(tmp_path):
    from mockplex.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text('{"pins": [{"clientIdentifier": "c", "state": "gone"}]}')
    assert main(["serve", "--port", "0", "--scenario", str(bad)]) == 2


def test_the_plugin_marker_loads_a_scenario(run_pytest, pytester):
    pytester.makefile(".json", unattended=(FIXTURES / "scenario-unattended.json").read_text())
    pytester.makepyfile('''
import pytest
import requests

@pytest.mark.mockplex_scenario("unattended.json")
def test_marked(mockplex):
    assert [u.username for u in mockplex.users] == ["mockplex", "ci-bot"]
    headers = {"X-Plex-Client-Identifier": "app", "Accept": "application/json"}
    pin = requests.post(mockplex.url + "/api/v2/pins", headers=headers).json()
    poll = lambda: requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=headers)
    assert [poll().json()["authToken"] for _ in range(2)] == [None, "MockPlexDefaultToken"]

def test_unmarked_starts_clean(mockplex):
    assert [u.username for u in mockplex.users] == ["mockplex"]
    assert mockplex.store.auto_approve is None
''')
    run_pytest().assert_outcomes(passed=2)
