"""The power tools on the fake servers: the journal names the server asked, faults aim
at one server or all of them (never at plex.tv's side unless aimed there), an
unmatched path fails the test naming the server, and the report and the HAR file show
which server was asked."""

from __future__ import annotations

import json

import pytest

from mockplex.control import har, report
from mockplex.domain.faults import Fault
from mockplex.handle import MockPlex
from mockplex.web.traffic import DropConnection
from tests.control.test_har import validate
from tests.values import JSON_HEADERS


def test_the_journal_names_the_server_each_request_was_for(ask, client, store, home):
    other = store.add_server("Other")
    ask("/library/sections")
    ask("/identity", server=other)
    client.get("/api/v2/user", headers={**JSON_HEADERS, "X-Plex-Token": "x"})
    first, second, third = store.journal.entries()
    assert [(e.server, e.path, e.status) for e in (first, second, third)] == [
        ("Home", "/library/sections", 200), ("Other", "/identity", 200),
        ("", "/api/v2/user", 401)]
    assert str(first) == "GET /library/sections -> 200 on Home"
    assert str(third) == "GET /api/v2/user -> 401"
    assert store.journal.entries(server="Other") == [second]
    assert store.journal.entries(server="") == [third]
    assert first.response_headers and first.response_body.startswith(b"<?xml")


def test_a_servers_requests_are_never_polls(ask, store):
    ask("/api/v2/pins/123456789")
    [entry] = store.journal.entries()
    assert entry.pin_id is None and store.journal.entries(pin_id=123456789) == []


def test_a_fault_aimed_at_a_server_meets_its_requests_only(ask, client, store, home):
    other = store.add_server("Other")
    store.faults.add(Fault(path="/library/*", status=503, headers={"Retry-After": "3"},
                           server="Home", times=2))
    response = ask("/library/sections")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "text/html"
    assert response.headers["Retry-After"] == "3"
    assert b"<h1>503 Service Unavailable</h1>" in response.data
    assert ask("/library/sections", server=other).status_code == 200
    assert ask("/identity").status_code == 200  # another path
    assert client.get("/library/sections").status_code == 404  # plex.tv's side: untouched
    assert ask("/library/sections").status_code == 503
    assert ask("/library/sections").status_code == 200  # used up
    faulted = [entry for entry in store.journal.entries() if entry.fault]
    assert [(e.server, e.status) for e in faulted] == [("Home", 503), ("Home", 503)]
    # An injected fault is no problem; plex.tv's unmatched request is one, of plex.tv's.
    assert [(problem.path, problem.server) for problem in store.problems.take()] == [
        ("/library/sections", "")]


def test_a_fault_for_any_server_and_one_for_plex_tv(ask, client, store):
    other = store.add_server("Other")
    store.faults.add(Fault(path="/", status=500, server="*"))
    store.faults.add(Fault(method="POST", path="/api/v2/pins", status=429))
    assert ask("/").status_code == 500
    assert ask("/", server=other).status_code == 500
    assert ask("/identity").status_code == 200
    assert client.post("/api/v2/pins", headers=JSON_HEADERS).status_code == 429
    assert ask("/api/v2/pins", method="POST").status_code == 404  # plex.tv's fault


def test_a_plex_tv_fault_never_meets_a_server(ask, store):
    store.faults.add(Fault(status=503))  # every path, every method: of plex.tv
    assert ask("/").status_code == 200


def test_a_fault_on_a_server_can_drop_or_delay(ask, store, monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr("mockplex.domain.faults.Faults.pause",
                        lambda faults, seconds, ended=None: waited.append(seconds))
    store.faults.add(Fault(path="/", drop=True, server="Home", times=1))
    store.faults.add(Fault(path="/identity", delay_ms=250, server="Home", times=1))
    with pytest.raises(DropConnection):
        ask("/")
    assert ask("/identity").status_code == 200
    assert waited == [0.25]
    dropped = store.journal.entries()[0]
    assert (dropped.server, dropped.status, dropped.fault) == ("Home", None, True)


@pytest.mark.parametrize("server", ["", 3, ["Home"]])
def test_a_faults_server_is_a_name(server):
    with pytest.raises(ValueError, match="server"):
        Fault(status=500, server=server)


def test_a_fault_names_a_server_whole_never_as_a_pattern(ask, store):
    store.faults.add(Fault(status=500, server="H*"))
    store.faults.add(Fault(status=500, server="home"))
    assert ask("/").status_code == 200


def test_an_unmatched_path_fails_the_test_naming_the_server(ask, store):
    ask("/library/onDeck")
    with pytest.raises(AssertionError) as failure:
        MockPlex(store, "http://127.0.0.1:1").check()
    message = str(failure.value)
    assert "GET /library/onDeck on the fake server 'Home'" in message
    assert "does not emulate this Plex Media Server route" in message
    assert "mockplex_allow_unmatched" in message


def test_the_report_shows_the_server(ask, store):
    ask("/library/onDeck")
    ask("/identity")
    store.faults.add(Fault(path="/library/*", status=503, server="Home"))
    store.faults.add(Fault(path="/", status=500, server="*", times=1))
    text = report.describe(store)
    assert "GET /library/onDeck -> 404 on Home  [UNMATCHED]" in text
    assert "GET /identity -> 200 on Home" in text
    assert "* /library/* on Home: answer 503 (until cleared)" in text
    assert "* / on every fake server: answer 500 (1 more time(s))" in text


def test_the_har_file_names_the_server(ask, client, store, tmp_path):
    with har.HarWriter(tmp_path / "x.har", store.journal):
        ask("/identity")
        client.get("/api/v2/ping", headers=JSON_HEADERS)
    entries = json.loads((tmp_path / "x.har").read_text())["log"]["entries"]
    assert [(entry["_server"], entry["request"]["url"]) for entry in entries] == [
        ("Home", "http://localhost/identity"), ("", "http://localhost/api/v2/ping")]
    assert entries[0]["response"]["content"]["mimeType"] == "text/xml;charset=utf-8"
    validate(json.loads((tmp_path / "x.har").read_text()))  # still HAR 1.2


def test_a_reset_forgets_the_servers_requests_and_faults(ask, store):
    ask("/nope")
    store.faults.add(Fault(status=500, server="*"))
    store.reset()
    assert (store.journal.entries(), store.faults.active(), store.problems.take()) == (
        [], [], [])
