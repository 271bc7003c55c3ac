"""Plex Home: /api/home/users and its switch, /api/users marking home users, the cap, and
set-up through Python, the control API and a scenario (docs/contract.md, "Plex Home")."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from mockplex import DEFAULT_TOKEN
from mockplex.control import scenario
from mockplex.domain.accounts import AccountNotFound, HomeFull
from mockplex.domain.limits import HOME_USERS_MAX
from mockplex.web.errors import WRONG_PIN_CODE

OWNER = {"X-Plex-Token": DEFAULT_TOKEN}


def xml(response):
    assert response.content_type == "application/xml; charset=utf-8", response.data
    return ElementTree.fromstring(response.data)


def errors(response):
    return ElementTree.fromstring(response.data).find("error").attrib


@pytest.fixture
def kid(store):
    return store.create_account("kid", home_of="mockplex", restricted=True, pin="1234")


def test_the_home_lists_its_owner_first_then_its_managed_users(client, kid):
    root = xml(client.get("/api/home/users", headers=OWNER))
    assert root.tag == "MediaContainer" and root.attrib["size"] == "2"
    owner, managed = root.findall("User")
    assert owner.attrib["admin"] == "1" and owner.attrib["username"] == "mockplex"
    assert owner.attrib["protected"] == "0"
    assert managed.attrib["id"] == str(kid.id) and managed.attrib["title"] == "kid"
    assert managed.attrib["admin"] == "0" and managed.attrib["restricted"] == "1"
    assert managed.attrib["protected"] == "1"  # it has a PIN: plex-api-credentials reads it
    assert managed.attrib["username"] == "" and managed.attrib["email"] == ""
    assert managed.attrib["hasPassword"] == "0"


def test_a_managed_user_sees_the_same_home(client, kid):
    root = xml(client.get("/api/home/users", headers={"X-Plex-Token": kid.auth_token}))
    assert [u.attrib["title"] for u in root.findall("User")] == ["mockplex", "kid"]


def test_an_account_without_managed_users_is_a_home_of_one(client, store):
    alice = store.create_account("alice")
    root = xml(client.get("/api/home/users", headers={"X-Plex-Token": alice.auth_token}))
    assert [u.attrib["username"] for u in root.findall("User")] == ["alice"]


def test_creating_a_home_user_answers_its_id_in_xml(client, store):
    response = client.post("/api/home/users?title=Bobby", headers=OWNER)
    assert response.status_code == 201
    user = xml(response)
    assert user.tag == "User" and user.attrib["title"] == "Bobby"
    created = [a for a in store.home(store.default_account) if a.title == "Bobby"]
    assert [str(a.id) for a in created] == [user.attrib["id"]]
    assert created[0].password is None and created[0].email == ""


def test_the_title_and_the_pin_may_come_in_a_form_or_a_json_body(client, kid):
    """Read as every plex.tv route reads its parameters: query, form or JSON body."""
    made = client.post("/api/home/users", headers=OWNER, data={"title": "Formed"})
    assert (made.status_code, xml(made).get("title")) == (201, "Formed")
    made = client.post("/api/home/users", headers=OWNER, json={"title": "Jason"})
    assert (made.status_code, xml(made).get("title")) == (201, "Jason")
    switched = client.post(f"/api/home/users/{kid.id}/switch", headers=OWNER,
                           data={"pin": "1234"})
    assert xml(switched).get("authenticationToken") == kid.auth_token
    bad = client.post("/api/home/users", headers={**OWNER, "Content-Type": "application/json"},
                      data="{not json")
    assert bad.status_code == 400 and errors(bad)["code"] == "1000"


def test_two_homes_may_each_have_a_kid(client, store):
    alice = store.create_account("alice")
    assert client.post("/api/home/users?title=kid", headers=OWNER).status_code == 201
    response = client.post("/api/home/users?title=kid",
                           headers={"X-Plex-Token": alice.auth_token})
    assert response.status_code == 201
    assert [m.title for m in store.home(alice)] == ["alice", "kid"]


@pytest.mark.parametrize("query", ["", "?title=", "?title=%20"])
def test_a_home_user_needs_a_title(client, query):
    response = client.post(f"/api/home/users{query}", headers=OWNER)
    assert response.status_code == 400
    assert errors(response)["code"] == "1000"


def test_a_managed_user_cannot_add_or_remove_home_users(client, kid, store):
    token = {"X-Plex-Token": kid.auth_token}
    assert client.post("/api/home/users?title=x", headers=token).status_code == 403
    owner = store.default_account
    assert client.delete(f"/api/home/users/{owner.id}", headers=token).status_code == 403


def test_switching_without_a_pin_answers_the_users_token(client, store):
    teen = store.create_account("teen", home_of="mockplex")
    response = client.post(f"/api/home/users/{teen.id}/switch", headers=OWNER)
    assert response.status_code == 201
    user = xml(response)
    assert user.tag == "user" and user.attrib["authenticationToken"] == teen.auth_token
    again = client.get("/api/v2/user", headers={"X-Plex-Token": teen.auth_token})
    assert xml(again).attrib["title"] == "teen"


def test_switching_with_the_right_pin(client, kid):
    response = client.post(f"/api/home/users/{kid.id}/switch?pin=1234", headers=OWNER)
    assert response.status_code == 201
    assert xml(response).attrib["authenticationToken"] == kid.auth_token


@pytest.mark.parametrize("query", ["", "?pin=0000", "?pin=12345", "?pin=abcd"])
def test_a_wrong_or_missing_pin_is_plextvs_401(client, kid, query):
    response = client.post(f"/api/home/users/{kid.id}/switch{query}", headers=OWNER)
    assert response.status_code == 401
    assert errors(response) == {"code": str(WRONG_PIN_CODE), "message": "Invalid PIN",
                                "status": "401"}


def test_switching_back_to_the_owner(client, kid, store):
    owner = store.default_account
    response = client.post(f"/api/home/users/{owner.id}/switch",
                           headers={"X-Plex-Token": kid.auth_token})
    assert xml(response).attrib["authenticationToken"] == DEFAULT_TOKEN


@pytest.mark.parametrize("method", ["post", "delete"])
def test_a_user_not_in_the_callers_home_is_a_404(client, store, method):
    alice = store.create_account("alice")
    other = store.create_account("other", home_of="alice")
    for user_id in (other.id, alice.id, 999999):
        path = f"/api/home/users/{user_id}" + ("/switch" if method == "post" else "")
        response = getattr(client, method)(path, headers=OWNER)
        assert response.status_code == 404, user_id
        assert (errors(response)["status"], errors(response)["code"]) == ("404", "1002")


@pytest.mark.parametrize("raw", ["abc", "-1", "1" * 40, "%C3%A9"])
def test_a_bad_id_is_a_400(client, raw):
    response = client.post(f"/api/home/users/{raw}/switch", headers=OWNER)
    assert response.status_code == 400 and errors(response)["code"] == "1000"


def test_the_owner_cannot_remove_itself(client, store):
    response = client.delete(f"/api/home/users/{store.default_account.id}", headers=OWNER)
    assert response.status_code == 400


def test_a_removed_user_is_gone_and_its_token_opens_nothing(client, kid, store):
    assert client.delete(f"/api/home/users/{kid.id}", headers=OWNER).status_code == 204
    root = xml(client.get("/api/home/users", headers=OWNER))
    assert [u.attrib["title"] for u in root.findall("User")] == ["mockplex"]
    assert client.get("/api/v2/user.json",
                      headers={"X-Plex-Token": kid.auth_token}).status_code == 401
    assert client.delete(f"/api/home/users/{kid.id}", headers=OWNER).status_code == 404
    assert "kid" not in [a.username for a in store.accounts()]


def test_api_users_marks_home_users(client, kid, store):
    store.create_account("alice")
    server = store.add_server("Den", connections=["http://127.0.0.1:1"])
    store.share(server.name, "alice")
    root = xml(client.get("/api/users", headers=OWNER))
    users = {u.attrib["title"]: u.attrib for u in root.findall("User")}
    assert set(users) == {"kid", "alice"}
    assert users["kid"]["home"] == "1" and users["kid"]["restricted"] == "1"
    assert users["kid"]["protected"] == "1" and users["kid"]["username"] == ""
    assert users["alice"]["home"] == "0"


def test_home_routes_need_a_token(client):
    for method, path in (("get", "/api/home/users"), ("post", "/api/home/users?title=x"),
                         ("post", "/api/home/users/2/switch"),
                         ("delete", "/api/home/users/2")):
        assert getattr(client, method)(path).status_code == 401, path


def test_a_home_holds_at_most_the_cap(client, store):
    for number in range(HOME_USERS_MAX - 1):
        store.create_account(f"k{number}", home_of="mockplex")
    with pytest.raises(HomeFull):
        store.create_account("one-too-many", home_of="mockplex")
    response = client.post("/api/home/users?title=late", headers=OWNER)
    assert response.status_code == 400 and "15" in errors(response)["message"]


def test_no_such_owner_is_refused(store):
    with pytest.raises(AccountNotFound):
        store.create_account("bad", home_of="nobody")


@pytest.mark.parametrize("fields", [
    {"home_of": "mockplex", "password": "pw"}, {"home_of": "mockplex", "email": "a@b.c"},
    {"pin": "12"}, {"pin": "\uff11\uff12\uff13\uff14"}, {"restricted": True},
])
def test_bad_managed_users_are_refused(store, fields):
    with pytest.raises(ValueError):
        store.create_account("bad", **fields)
    assert "bad" not in [a.username for a in store.accounts()]


def test_creating_and_removing_through_plextv_keeps_nothing(client, store):
    """What a client makes through plex.tv it can also end: a removed managed user is
    forgotten (its id is never given again), so the cycle does not grow the store."""
    before = len(store.accounts())
    ids = []
    for _ in range(3 * HOME_USERS_MAX):
        made = xml(client.post("/api/home/users?title=kid", headers=OWNER))
        ids.append(made.attrib["id"])
        gone = client.delete(f"/api/home/users/{made.attrib['id']}", headers=OWNER)
        assert gone.status_code == 204
    assert len(store.accounts()) == before and len(set(ids)) == len(ids)
    for gone in ids:  # not even kept as removed: no id finds it
        with pytest.raises(AccountNotFound):
            store.account_by_id(int(gone))


def test_invited_email_answers_the_existing_account(client, store):
    """python-plexapi's createExistingUser asks this first (docs/contract.md): the
    account's <User>, its home unchanged."""
    bob = store.create_account("bob", email="bob@x.test")
    response = client.post("/api/home/users?invitedEmail=BOB@x.test", headers=OWNER)
    assert response.status_code == 201
    user = xml(response)
    assert user.tag == "User" and (user.get("id"), user.get("username"), user.get(
        "email"), user.get("admin")) == (str(bob.id), "bob", "bob@x.test", "0")
    assert store.account("bob").home_of is None
    assert [m.username for m in store.home(store.default_account)] == ["mockplex"]


@pytest.mark.parametrize(("login", "status", "code", "words"), [
    ("nobody", 404, "1002", "User not found"),
    ("mockplex", 400, "1000", "caller itself"),
    ("other", 400, "1000", "another Plex Home"),
    ("", 400, "1000", "invitedEmail"),
])
def test_a_bad_invited_email_is_a_clean_4xx(client, store, login, status, code, words):
    store.create_account("alice")
    store.create_account("other", home_of="alice")
    response = client.post(f"/api/home/users?invitedEmail={login}", headers=OWNER)
    assert response.status_code == status, response.data
    assert errors(response)["code"] == code and words in errors(response)["message"]


def test_the_account_routes_say_the_home_as_it_is(client, kid, store):
    """/api/v2/user and /users/account: a managed user's home, its PIN and restriction;
    the owner's home and that it is its admin."""
    as_kid = xml(client.get("/users/account", headers={"X-Plex-Token": kid.auth_token}))
    assert {key: as_kid.get(key) for key in ("home", "homeAdmin", "homeSize", "restricted",
                                              "protected")} == {
        "home": "1", "homeAdmin": "0", "homeSize": "2", "restricted": "1", "protected": "1"}
    owner = client.get("/api/v2/user.json", headers=OWNER).get_json()
    assert (owner["home"], owner["homeAdmin"], owner["homeSize"], owner["restricted"],
            owner["protected"]) == (True, True, 2, False, False)
    alone = store.create_account("alone")
    single = client.get("/api/v2/user.json", headers={"X-Plex-Token": alone.auth_token})
    assert (single.get_json()["home"], single.get_json()["homeSize"]) == (False, 1)


def test_a_managed_user_owns_no_home(store, kid):
    with pytest.raises(ValueError, match="managed user"):
        store.create_account("grandkid", home_of="kid")


def test_the_control_api_creates_managed_users(client, store):
    response = client.post("/_mockplex/users", json={
        "username": "kid", "homeOf": "mockplex", "restricted": True, "pin": "1234"})
    assert response.status_code == 201, response.data
    kid = store.account("kid")
    assert (kid.home_of, kid.restricted, kid.home_pin, kid.email) == (
        "mockplex", True, "1234", "")
    bad = client.post("/_mockplex/users", json={"username": "k2", "homeOf": "mockplex",
                                                "pin": "12ab"})
    assert bad.status_code == 400
    nobody = client.post("/_mockplex/users", json={"username": "k3", "homeOf": "nobody"})
    assert nobody.status_code == 404
    with_password = client.post("/_mockplex/users", json={
        "username": "k4", "homeOf": "mockplex", "password": "pw"})
    assert with_password.status_code == 400


def test_the_control_api_refuses_a_full_home(client, store):
    for number in range(HOME_USERS_MAX - 1):
        store.create_account(f"k{number}", home_of="mockplex")
    response = client.post("/_mockplex/users", json={"username": "late", "homeOf": "mockplex"})
    assert response.status_code == 400, response.data
    assert "15" in response.get_json()["errors"][0]["message"]


def test_a_scenario_lays_down_a_home(store):
    scenario.load(store, {"accounts": [
        {"username": "owner", "password": "pw"},
        {"username": "kid", "homeOf": "owner", "restricted": True, "pin": "1234"}]})
    assert [m.username for m in store.home(store.account("owner"))] == ["owner", "kid"]


def test_the_control_api_lists_a_managed_users_home_for_the_dashboard(client, kid):
    users = {u["username"]: u for u in client.get("/_mockplex/users").get_json()}
    assert (users["kid"]["homeOf"], users["kid"]["restricted"], users["kid"]["protected"]) == (
        "mockplex", True, True)
    assert "homeOf" not in users["mockplex"]


def test_a_scenario_home_needs_its_owner_first(store):
    with pytest.raises(scenario.ScenarioError, match=r"accounts\[0\].*owner"):
        scenario.load(store, {"accounts": [{"username": "kid", "homeOf": "owner"},
                                           {"username": "owner"}]})
