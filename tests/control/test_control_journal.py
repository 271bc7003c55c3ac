"""Which server a request reached, wherever a test reads the journal: the control API's
entries and their ``?server=`` filter (as the OpenAPI document says), and the handle's
``requests`` and ``assert_requested(..., server=...)``. (The dashboard's column is in
test_dashboard.py; the journal itself in tests/domain/test_journal.py.)"""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS30Validator

from mockplex import MockPlex
from mockplex.app import pms_app_of
from mockplex.web.environ import MEDIA_SERVER
from tests.values import JSON_HEADERS


@pytest.fixture
def ask(app, store):
    """``ask(server, path)``: a GET to the live server named ``server``, in the process,
    named in the environ as each way in names it."""
    client = pms_app_of(app).test_client()

    def get(server: str, path: str) -> int:
        identifier = store.server(server).machine_identifier
        return client.get(path, environ_overrides={MEDIA_SERVER: identifier}).status_code

    return get


@pytest.fixture
def asked(client, store, ask):
    """Two live servers and plex.tv's side asked, in this order: Home's /identity, plex.tv's
    POST /api/v2/pins, Other's /identity, Home's /library/sections."""
    store.add_server("Home")
    store.add_server("Other")
    assert ask("Home", "/identity") == 200
    assert client.post("/api/v2/pins", headers=JSON_HEADERS).status_code == 201
    assert ask("Other", "/identity") == 200
    assert ask("Home", "/library/sections") == 401  # no token: asked all the same


def listed(client, query: str = "") -> list[tuple[str, str]]:
    answer = client.get(f"/_mockplex/requests{query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [(entry["server"], entry["path"]) for entry in answer.get_json()]


def test_each_entry_names_the_server_asked(client, asked):
    assert listed(client) == [("Home", "/identity"), ("", "/api/v2/pins"),
                              ("Other", "/identity"), ("Home", "/library/sections")]


def test_server_narrows_the_entries_to_one_server_or_to_plex_tvs_side(client, asked):
    assert listed(client, "?server=Home") == [("Home", "/identity"),
                                              ("Home", "/library/sections")]
    assert listed(client, "?server=") == [("", "/api/v2/pins")]
    assert listed(client, "?server=Other&path=/identity") == [("Other", "/identity")]
    assert listed(client, "?server=Nowhere") == []  # no such server: nothing it was asked


def test_a_server_of_any_name_is_matched_as_written(client, store, ask):
    name = "Ünïcode & <b>bold</b>?*"
    store.add_server(name)
    ask(name, "/identity")
    query = "?server=%C3%9Cn%C3%AFcode%20%26%20%3Cb%3Ebold%3C%2Fb%3E%3F%2A"
    assert listed(client, query) == [(name, "/identity")]
    assert listed(client, "?server=%C3%9C*") == []  # a name, not a glob


def test_the_entries_with_their_server_are_what_the_openapi_document_says(client, asked):
    document = client.get("/_mockplex/openapi.json").get_json()
    schema = document["components"]["schemas"]["JournalEntry"]
    assert schema["additionalProperties"] is False  # so a field it lacks is caught
    assert schema["properties"]["server"]["type"] == "string"
    entries = client.get("/_mockplex/requests").get_json()
    for entry in entries:
        OAS30Validator(schema).validate(entry)
    operation = document["paths"]["/_mockplex/requests"]["get"]
    assert "server" in {parameter["name"] for parameter in operation["parameters"]}


def test_requests_lists_both_sides_and_says_which(store, asked):
    handle = MockPlex(store, "http://mock.invalid")
    assert [(entry.server, entry.path) for entry in handle.requests] == [
        ("Home", "/identity"), ("", "/api/v2/pins"), ("Other", "/identity"),
        ("Home", "/library/sections")]


def test_assert_requested_counts_one_server_or_plex_tvs_side(store, asked):
    handle = MockPlex(store, "http://mock.invalid")
    handle.assert_requested("GET", "/identity", times=2)  # of any side
    handle.assert_requested("GET", "/identity", times=1, server="Home")
    handle.assert_requested("GET", "/identity", times=1, server="Other")
    handle.assert_requested("GET", "/identity", times=0, server="")
    handle.assert_requested("POST", "/api/v2/pins", times=1, server="")
    handle.assert_requested("POST", "/api/v2/pins", times=0, server="Home")
    handle.assert_requested("GET", "/library/*", at_least=1, server="Home")


@pytest.mark.parametrize(("server", "named"), [("Other", "on 'Other'"),
                                               ("", "on plex.tv's side")])
def test_assert_requested_names_the_side_and_lists_what_came_in(store, asked, server,
                                                                  named):
    handle = MockPlex(store, "http://mock.invalid")
    with pytest.raises(AssertionError) as failure:
        handle.assert_requested("GET", "/library/sections", times=1, server=server)
    message = str(failure.value)
    assert message.startswith(f"expected GET /library/sections {named} 1 time(s), it was "
                              "0 time(s); the requests received:\n")
    assert "  GET /library/sections -> 401 on Home" in message  # every side's, named
    assert "  POST /api/v2/pins -> 201\n" in message
