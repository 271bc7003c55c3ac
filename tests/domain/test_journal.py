"""The request journal: what the mock was asked, and assertions on it."""

from __future__ import annotations

import pytest
import requests

from mockplex.domain.journal import Entry, Journal
from tests.values import HEADERS

JSON = {**HEADERS, "Accept": "application/json"}


def test_every_plex_side_request_is_recorded(client, new_pin, store):
    pin = new_pin("?strong=true")
    client.get(f"/api/v2/pins/{pin['id']}.json?code=X", headers=HEADERS)
    client.put("/api/v2/pins/link", data={"code": "NOPE"}, headers={"X-Plex-Token": "bad"})
    client.get("/_mockplex/health")  # the control API is not journaled
    created, polled, linked = store.journal.entries()
    assert (created.method, created.path, created.query, created.status) == (
        "POST", "/api/v2/pins.json", {"strong": "true"}, 201)
    assert created.xplex == {"X-Plex-Client-Identifier": "mockplex-tests",
                             "X-Plex-Product": "mockplex tests"}
    assert (polled.pin_id, polled.status, polled.query) == (pin["id"], 200, {"code": "X"})
    assert (linked.body, linked.status, linked.xplex) == ("code=NOPE", 401,
                                                          {"X-Plex-Token": "bad"})
    assert created.matched and not created.fault


def test_the_journal_over_http_with_filters(client, new_pin):
    first, second = new_pin(), new_pin()
    for pin in (first, second, second):
        client.get(f"/api/v2/pins/{pin['id']}", headers=HEADERS)
    client.get("/api/v2/elsewhere", headers=HEADERS)
    everything = client.get("/_mockplex/requests").get_json()
    assert [e["method"] for e in everything] == ["POST", "POST", "GET", "GET", "GET", "GET"]
    assert everything[0]["time"].endswith("+00:00")
    polls = client.get(f"/_mockplex/requests?pin={second['id']}").get_json()
    assert [(e["pinId"], e["status"]) for e in polls] == [(second["id"], 200)] * 2
    gets = client.get("/_mockplex/requests?method=get&path=/api/v2/pins/*").get_json()
    assert len(gets) == 3
    [unmatched] = client.get("/_mockplex/requests?unmatched=1").get_json()
    assert (unmatched["path"], unmatched["status"], unmatched["matched"]) == (
        "/api/v2/elsewhere", 404, False)
    assert client.delete("/_mockplex/requests").get_json() == {"cleared": 6}
    assert client.get("/_mockplex/requests").get_json() == []


@pytest.mark.parametrize("query", ["pin=abc", "unmatched=maybe"])
def test_bad_journal_filters_are_named(client, query):
    response = client.get(f"/_mockplex/requests?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.get_json()["errors"][0]["message"]


def test_an_unknown_route_lists_the_emulated_ones(client):
    message = client.get("/api/v2/friends", headers=JSON).get_json()["errors"][0]["message"]
    assert message.startswith("mockplex emulates no route GET /api/v2/friends; it emulates ")
    for route in ("POST /api/v2/pins", "GET /api/v2/pins/<id>", "PUT /api/v2/pins/link",
                  "GET /api/v2/user", "GET /api/v2/pins/qr/<code>"):
        assert route in message


def test_the_journal_is_bounded_oldest_dropped_first():
    journal = Journal(limit=3)
    for number in range(5):
        journal.record(Entry(time=number, method="GET", path=f"/{number}"))
    assert [entry.path for entry in journal.entries()] == ["/2", "/3", "/4"]


def test_bodies_are_kept_in_part_and_odd_bytes_survive(client, store):
    client.post("/api/v2/pins.json", headers=HEADERS, data=b"\xff" + b"x" * 10_000,
                content_type="text/plain")
    [entry] = store.journal.entries()
    assert len(entry.body) == 4096 and entry.body.startswith("\ufffd")


def test_assert_polled_passes_and_fails_with_what_was_received(mockplex):
    pin = requests.post(mockplex.url + "/api/v2/pins", headers=JSON, timeout=5).json()
    for _ in range(3):
        requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=JSON, timeout=5)
    mockplex.assert_polled(pin["id"], times=3)
    mockplex.assert_polled(pin["id"], at_least=2)
    mockplex.assert_requested("POST", "/api/v2/pins", times=1)
    with pytest.raises(AssertionError) as failure:
        mockplex.assert_polled(pin["id"], times=5)
    message = str(failure.value)
    assert f"expected pin {pin['id']} to be polled 5 time(s), it was 3 time(s)" in message
    assert f"GET /api/v2/pins/{pin['id']} -> 200" in message
    assert "POST /api/v2/pins -> 201" in message
    with pytest.raises(TypeError, match="one of them"):
        mockplex.assert_polled(pin["id"])


def test_reset_clears_the_journal(mockplex):
    requests.post(mockplex.url + "/api/v2/pins", headers=JSON, timeout=5)
    assert len(mockplex.requests) == 1
    mockplex.reset()
    assert mockplex.requests == []


def test_an_entry_keeps_no_more_than_its_limits(mockplex):
    """A flood of huge X-Plex values, queries and bodies leaves a small journal."""
    from mockplex.domain.journal import BODY_LIMIT, QUERY_LIMIT, VALUE_LIMIT, XPLEX_LIMIT

    huge = "x" * 256 * 1024
    headers = {"X-Plex-Client-Identifier": "flood", "X-Plex-Product": huge,
               **{f"X-Plex-Extra-{n}": "v" for n in range(40)}}
    for _ in range(20):
        answer = requests.post(f"{mockplex.url}/api/v2/pins?q={huge}", headers=headers,
                               data=huge, timeout=10)
        assert answer.status_code == 431  # over the 64 KiB of headers plex.tv's shape allows
    entries = mockplex.requests
    assert len(entries) == 20 and all(entry.cut for entry in entries)
    for entry in entries:
        assert len(entry.raw_body) <= BODY_LIMIT and len(entry.query_string) <= QUERY_LIMIT
        assert len(entry.xplex_headers) <= XPLEX_LIMIT
        assert all(len(value) <= VALUE_LIMIT for _, value in entry.xplex_headers)
    listing = requests.get(mockplex.url + "/_mockplex/requests", timeout=10)
    assert listing.status_code == 200 and len(listing.content) < 20 * 64 * 1024
    assert listing.json()[0]["cut"] is True
    small = requests.post(mockplex.url + "/api/v2/pins", headers={"X-Plex-Client-Identifier": "s"},
                          timeout=5)
    assert small.status_code == 201 and mockplex.requests[-1].cut is False
