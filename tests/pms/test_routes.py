"""Each route of a fake Plex Media Server, in XML (the default) and JSON: the shapes,
the exact Content-Type, the values of the server, its owner and its libraries."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from tests.pms.conftest import JSON

XML_TYPE = "text/xml;charset=utf-8"
ROUTES = ["/identity", "/", "/library", "/library/sections", "/library/sections/1/all",
          "/accounts", "/clients", "/status/sessions", "/:/prefs"]


def xml(response) -> ElementTree.Element:
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == XML_TYPE
    assert response.headers["X-Plex-Protocol"] == "1.0"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    return ElementTree.fromstring(response.data)


def as_json(response) -> dict:
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "application/json"
    return json.loads(response.data)["MediaContainer"]


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("accept", [None, "*/*", "text/xml", "application/xml"])
def test_every_route_answers_xml_unless_json_is_asked_for(ask, path, accept):
    root = xml(ask(path, headers={"Accept": accept} if accept else {}))
    assert root.tag == "MediaContainer"
    assert int(root.get("size")) == len(root)


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("accept", ["application/json", "application/json, text/plain, */*",
                                    "text/html;q=0.9, Application/JSON; charset=utf-8"])
def test_every_route_answers_json_when_asked(ask, path, accept):
    container = as_json(ask(path, headers={"Accept": accept}))
    assert isinstance(container["size"], int)


@pytest.mark.parametrize("path", ROUTES)
def test_head_answers_as_get_without_a_body(ask, path):
    response = ask(path, method="HEAD")
    assert (response.status_code, response.data) == (200, b"")
    assert response.headers["Content-Type"] == XML_TYPE


def test_identity_says_who_the_server_is(ask, home):
    root = xml(ask("/identity"))
    assert root.attrib == {"size": "0", "claimed": "1",
                           "machineIdentifier": home.machine_identifier,
                           "version": home.product_version}
    assert as_json(ask("/identity", headers=JSON)) == {
        "size": 0, "claimed": True, "machineIdentifier": home.machine_identifier,
        "version": home.product_version}


def test_the_root_is_the_server_and_its_owner(ask, home, store):
    root = xml(ask("/"))
    owner = store.default_account
    assert {key: root.get(key) for key in (
        "machineIdentifier", "friendlyName", "version", "platform", "platformVersion",
        "myPlex", "myPlexUsername", "myPlexSubscription", "myPlexSigninState",
        "transcoderActiveVideoSessions")} == {
        "machineIdentifier": home.machine_identifier, "friendlyName": "Home",
        "version": home.product_version, "platform": "Linux", "platformVersion": "6.1.0",
        "myPlex": "1", "myPlexUsername": owner.email, "myPlexSubscription": "0",
        "myPlexSigninState": "ok", "transcoderActiveVideoSessions": "0"}
    assert int(root.get("updatedAt")) == int(home.created_at)
    assert [child.get("key") for child in root] == ["clients", "library"]


def test_the_root_in_json_types_its_values_as_a_server_does(ask, home):
    container = as_json(ask("/", headers=JSON))
    assert container["machineIdentifier"] == home.machine_identifier
    assert container["myPlex"] is True and container["myPlexSubscription"] is False
    assert container["updatedAt"] == int(home.created_at)
    assert container["livetv"] == 7 and container["transcoderActiveVideoSessions"] == 0
    assert container["Directory"] == [{"count": 1, "key": "clients", "title": "clients"},
                                      {"count": 1, "key": "library", "title": "library"}]


def test_a_server_of_another_account_names_that_owner(ask, store):
    alice = store.create_account("alice", email="alice@example.test")
    theirs = store.add_server("Theirs", owner="alice", platform="Windows",
                              product_version="1.40.0.1-abc")
    root = xml(ask("/", server=theirs, token=alice.auth_token))
    assert (root.get("friendlyName"), root.get("myPlexUsername"), root.get("platform"),
            root.get("version")) == ("Theirs", "alice@example.test", "Windows",
                                     "1.40.0.1-abc")


def test_the_library_front_page(ask):
    root = xml(ask("/library"))
    assert (root.get("identifier"), root.get("title1")) == ("com.plexapp.plugins.library",
                                                            "Plex Library")
    assert [child.attrib for child in root] == [{"key": "sections",
                                                 "title": "Library Sections"}]


def test_the_sections_are_the_servers_libraries(ask, home):
    root = xml(ask("/library/sections"))
    assert [(d.tag, d.get("key"), d.get("type"), d.get("title")) for d in root] == [
        ("Directory", "1", "movie", "Films"), ("Directory", "2", "show", "Series"),
        ("Directory", "3", "artist", "Music"), ("Directory", "4", "photo", "Photos")]
    films = root[0]
    library = home.libraries[0]
    assert {key: films.get(key) for key in ("agent", "scanner", "language", "uuid",
                                            "createdAt", "updatedAt", "scannedAt")} == {
        "agent": "tv.plex.agents.movie", "scanner": "Plex Movie", "language": "en-US",
        "uuid": library.uuid, "createdAt": str(int(library.created_at)),
        "updatedAt": str(int(library.created_at)), "scannedAt": str(int(library.created_at))}
    assert [location.attrib for location in films] == [{"id": "1", "path": "/data/movies"}]


def test_the_sections_in_json(ask):
    container = as_json(ask("/library/sections", headers=JSON))
    films = container["Directory"][0]
    assert (films["key"], films["allowSync"], films["hidden"]) == ("1", True, 0)
    assert isinstance(films["createdAt"], int)
    assert films["Location"] == [{"id": 1, "path": "/data/movies"}]


def test_a_server_given_no_libraries_has_the_default_two(ask, store, owner_token):
    plain = store.add_server("Plain")
    root = xml(ask("/library/sections", server=plain))
    assert [(d.get("title"), d.get("type")) for d in root] == [("Movies", "movie"),
                                                              ("TV Shows", "show")]
    assert len(xml(ask("/library/sections/1/all", server=plain))) == 0


def test_a_server_given_an_empty_list_has_none(ask, store):
    bare = store.add_server("Bare", libraries=[])
    assert xml(ask("/library/sections", server=bare)).get("size") == "0"
    assert ask("/library/sections/1/all", server=bare).status_code == 404


@pytest.mark.parametrize(("key", "tag", "items"), [
    ("1", "Video", [("Heat", None), ("Up", "2009")]),
    ("2", "Directory", [("Dark", None)]),
    ("3", None, []),
    ("4", "Photo", [("Beach", None)]),
])
def test_a_sections_items_are_elements_of_their_type(ask, key, tag, items):
    root = xml(ask(f"/library/sections/{key}/all"))
    assert [(item.get("title"), item.get("year")) for item in root] == items
    assert {item.tag for item in root} <= {tag}
    assert (root.get("librarySectionID"), root.get("totalSize")) == (key, str(len(items)))


def test_items_in_json_are_metadata(ask, home):
    container = as_json(ask("/library/sections/1/all", headers=JSON))
    heat, up = container["Metadata"]
    rating_key = home.libraries[0].items[0].rating_key
    assert heat == {"ratingKey": str(rating_key), "key": f"/library/metadata/{rating_key}",
                    "guid": f"plex://movie/{rating_key:024x}", "type": "movie",
                    "title": "Heat", "addedAt": heat["addedAt"],
                    "updatedAt": heat["updatedAt"]}
    assert up["year"] == 2009 and container["librarySectionID"] == 1
    show = as_json(ask("/library/sections/2/all", headers=JSON))["Metadata"][0]
    assert show["key"].endswith("/children") and show["type"] == "show"


@pytest.mark.parametrize("how", ["headers", "query"])
def test_items_come_a_page_at_a_time_when_asked(ask, how):
    paging = {"X-Plex-Container-Start": "1", "X-Plex-Container-Size": "5"}
    kwargs = {"headers": paging} if how == "headers" else {"query_string": paging}
    response = ask("/library/sections/1/all", **kwargs)
    root = xml(response)
    assert [item.get("title") for item in root] == ["Up"]
    assert (root.get("size"), root.get("totalSize"), root.get("offset")) == ("1", "2", "1")
    assert response.headers["X-Plex-Container-Total-Size"] == "2"
    counted = xml(ask("/library/sections/1/all",
                      headers={"X-Plex-Container-Start": "0", "X-Plex-Container-Size": "0"}))
    assert (len(counted), counted.get("totalSize")) == (0, "2")


@pytest.mark.parametrize("key", ["9", "0", "films", "1.0", "%00", "-1"])
def test_an_unknown_section_is_not_found(ask, key):
    response = ask(f"/library/sections/{key}/all")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html"


def test_the_accounts_are_the_servers_owner_and_friends(ask, store):
    bob = store.create_account("bob", email="bob@example.test")
    store.create_account("carol")
    store.share("Home", "bob")
    root = xml(ask("/accounts"))
    assert root.get("identifier") == "com.plexapp.system.accounts"
    assert [(a.get("id"), a.get("name"), a.get("key")) for a in root] == [
        ("0", "", "/accounts/0"), ("1", "mockplex", "/accounts/1"),
        (str(bob.id), "bob", f"/accounts/{bob.id}")]
    accounts = as_json(ask("/accounts", headers=JSON))["Account"]
    assert accounts[1] == {"id": 1, "key": "/accounts/1", "name": "mockplex",
                           "defaultAudioLanguage": "en", "autoSelectAudio": True,
                           "defaultSubtitleLanguage": "en", "subtitleMode": 0, "thumb": ""}


@pytest.mark.parametrize("path", ["/clients", "/status/sessions"])
def test_nobody_plays_from_a_fake_server(ask, path):
    assert xml(ask(path)).attrib == {"size": "0"}
    assert as_json(ask(path, headers=JSON)) == {"size": 0}


def test_the_settings_name_the_server(ask):
    root = xml(ask("/:/prefs"))
    settings = {setting.get("id"): setting.attrib for setting in root}
    assert settings["FriendlyName"]["value"] == "Home"
    assert set(settings["FriendlyName"]) == {"id", "label", "summary", "type", "default",
                                            "value", "hidden", "advanced", "group"}
    assert (settings["sendCrashReports"]["type"], settings["sendCrashReports"]["value"]) == (
        "bool", "true")
    assert settings["sendCrashReports"]["hidden"] == "0"  # a setting's other booleans: 1, 0
    assert "3600:hourly" in settings["ScheduledLibraryUpdateInterval"]["enumValues"]
    typed = {s["id"]: s for s in as_json(ask("/:/prefs", headers=JSON))["Setting"]}
    assert typed["sendCrashReports"]["value"] is True
    assert typed["ManualPortMappingPort"]["value"] == 32400
    assert typed["FriendlyName"]["hidden"] is False


def test_a_trailing_slash_is_the_same_route(ask):
    assert xml(ask("/library/sections/")).get("size") == "4"
    assert xml(ask("/identity/")).get("claimed") == "1"


def test_text_a_test_gave_is_escaped_in_xml_and_json(ask, store):
    odd = store.add_server('A "<b>" & \'c\'', libraries=[
        {"title": "<Films>", "type": "movie", "items": ["x\" y=\"1"]}])
    assert xml(ask("/", server=odd)).get("friendlyName") == 'A "<b>" & \'c\''
    assert xml(ask("/library/sections", server=odd))[0].get("title") == "<Films>"
    assert [item.attrib["title"] for item in xml(ask("/library/sections/1/all",
                                                     server=odd))] == ['x" y="1']


def test_one_item_by_its_rating_key(ask, home):
    up = home.libraries[0].items[1]
    root = xml(ask(f"/library/metadata/{up.rating_key}"))
    assert [(item.tag, item.get("title"), item.get("year")) for item in root] == [
        ("Video", "Up", "2009")]
    assert (root.get("librarySectionID"), root.get("librarySectionTitle")) == ("1", "Films")
    [photo] = as_json(ask(f"/library/metadata/{home.libraries[3].items[0].rating_key}",
                          headers=JSON))["Metadata"]
    assert (photo["title"], photo["type"]) == ("Beach", "photo")


@pytest.mark.parametrize("key", ["1", "100", "999", "abc"])
def test_an_unknown_rating_key_is_not_found(ask, key):
    assert ask(f"/library/metadata/{key}").status_code == 404


def test_a_name_no_encoding_can_carry_is_refused_when_given(store):
    with pytest.raises(ValueError, match="lone surrogate"):
        store.add_server("A\ud800B")
    with pytest.raises(ValueError, match="lone surrogate"):
        store.add_server("Home", libraries=[{"title": "F\udfff", "type": "movie"}])
    assert store.servers() == []


@pytest.mark.parametrize("accept", ["application/json", "*/*"])
def test_a_control_character_in_a_name_is_answered(ask, store, accept):
    odd = store.add_server("A\x01B", libraries=[{"title": "F\x02", "type": "movie"}])
    for path in ("/", "/library/sections", "/:/prefs"):
        response = ask(path, server=odd, headers={"Accept": accept})
        assert response.status_code == 200, path
    assert store.problems.take() == []


@pytest.mark.parametrize("sections", [(), (2, 4)])
def test_a_friend_sees_the_libraries_its_share_names(ask, store, sections):
    store.create_account("bob")
    share = store.share("Home", "bob", sections)
    wanted = ["1", "2", "3", "4"] if not sections else ["2", "4"]
    for token in (share.access_token, store.account("bob").auth_token):
        root = xml(ask("/library/sections", token=token))
        assert [directory.get("key") for directory in root] == wanted
        assert ask("/library/sections/1/all", token=token).status_code == (
            200 if not sections else 404)
        assert ask("/library/sections/2/all", token=token).status_code == 200
    assert [d.get("key") for d in xml(ask("/library/sections"))] == ["1", "2", "3", "4"]
