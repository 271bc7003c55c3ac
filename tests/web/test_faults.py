"""Fault injection: error statuses, delays and dropped connections, then normal again."""

from __future__ import annotations

import asyncio
import threading
import time
from xml.etree import ElementTree

import aiohttp
import httpx
import pytest
import requests
from plexapi.exceptions import BadRequest
from plexapi.myplex import MyPlexPinLogin

from mockplex.domain.faults import Fault, Faults
from tests.values import HEADERS

JSON = {**HEADERS, "Accept": "application/json"}
HELD = 20  # seconds a held client waits for its answer: far less than the delays held


def noted_pauses(faults: Faults) -> threading.Event:
    """Set once a request takes a delay of ``faults`` and begins its pause."""
    held = threading.Event()
    pause = faults.pause

    def noted_pause(seconds: float, ended: threading.Event | None = None) -> None:
        held.set()
        pause(seconds, ended)

    faults.pause = noted_pause  # type: ignore[method-assign]
    return held


def held_answer(url: str, answers: list[object], **kwargs: object) -> threading.Thread:
    """A client in a thread, its answer's status (or what it raised) put in ``answers``."""

    def ask() -> None:
        try:
            answers.append(requests.request(url=url, timeout=HELD, **kwargs).status_code)
        except requests.RequestException as error:
            answers.append(error)

    client = threading.Thread(target=ask)
    client.start()
    return client


def test_a_fault_answers_the_next_matching_requests_then_stops(client, new_pin):
    pin = new_pin()
    added = client.post("/_mockplex/faults", json={
        "method": "GET", "path": "/api/v2/pins/*", "status": 429,
        "headers": {"Retry-After": "2"}, "times": 2})
    assert added.status_code == 201
    assert client.get("/_mockplex/faults").get_json()[0]["times"] == 2
    answers = [client.get(f"/api/v2/pins/{pin['id']}", headers=JSON) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "2"
    assert answers[0].get_json() == {"errors": [
        {"code": 1929, "message": "mockplex: an injected fault", "status": 429}]}
    assert client.get("/_mockplex/faults").get_json() == []


def test_a_fault_answers_in_the_negotiated_format(client):
    client.post("/_mockplex/faults", json={"status": 503, "message": "down for maintenance"})
    response = client.post("/api/v2/pins", headers=HEADERS)
    assert response.status_code == 503
    error = ElementTree.fromstring(response.data)[0]
    assert error.attrib == {"code": "1999", "message": "down for maintenance", "status": "503"}


def test_faults_match_by_method_and_path_glob_and_spare_the_control_api(client, new_pin):
    client.post("/_mockplex/faults", json={"method": "POST", "path": "/api/v2/pins*",
                                           "status": 500})
    assert client.get("/api/v2/user", headers=JSON).status_code == 401  # not matched
    assert client.post("/api/v2/pins", headers=JSON).status_code == 500
    assert client.post("/_mockplex/reset").status_code == 200  # never faulted
    assert client.get("/_mockplex/faults").get_json() == []  # reset clears them


def test_delete_clears_the_faults(client):
    client.post("/_mockplex/faults", json={"status": 500})
    assert client.delete("/_mockplex/faults").get_json() == []
    assert client.post("/api/v2/pins", headers=JSON).status_code == 201


@pytest.mark.parametrize(("body", "problem"), [
    ({}, "a fault needs a status, a delay_ms or drop"),
    ({"status": 200}, "status"),
    ({"status": 429, "drop": True}, "no status"),
    ({"delay_ms": 120_000}, "delay_ms"),
    ({"status": 429, "times": 0}, "times"),
    ({"status": 429, "headers": {"Retry-After": 2}}, "headers"),
    ({"status": 429, "when": "now"}, "when"),
])
def test_bad_faults_are_named(client, body, problem):
    response = client.post("/_mockplex/faults", json=body)
    assert response.status_code == 400
    assert problem in response.get_json()["errors"][0]["message"]


def test_a_delay_waits_then_answers_normally(client, monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr("mockplex.domain.faults.Faults.pause",
                        lambda faults, seconds, ended=None: waited.append(seconds))
    client.post("/_mockplex/faults", json={"path": "/api/v2/pins", "delay_ms": 250, "times": 1})
    assert client.post("/api/v2/pins", headers=JSON).status_code == 201
    assert client.post("/api/v2/pins", headers=JSON).status_code == 201
    assert waited == [0.25]


def test_a_drop_closes_the_live_connection_without_an_answer(mockplex):
    mockplex.fail("POST", "/api/v2/pins", drop=True, times=1)
    with pytest.raises(requests.ConnectionError):
        requests.post(mockplex.url + "/api/v2/pins", headers=JSON, timeout=5)
    assert requests.post(mockplex.url + "/api/v2/pins", headers=JSON, timeout=5).ok
    dropped, answered = mockplex.requests
    assert (dropped.status, dropped.fault, answered.status) == (None, True, 201)


def test_a_drop_reaches_every_intercepted_library(mockplex):
    async def aiohttp_post() -> None:
        async with aiohttp.ClientSession() as session:
            await session.post("https://plex.tv/api/v2/pins", headers=JSON)

    mockplex.fail(drop=True, times=3)
    with mockplex.intercept():
        with pytest.raises(requests.ConnectionError, match="dropped"):
            requests.post("https://plex.tv/api/v2/pins", headers=JSON, timeout=5)
        with pytest.raises(httpx.RemoteProtocolError, match="disconnected"):
            httpx.post("https://plex.tv/api/v2/pins", headers=JSON)
        with pytest.raises(aiohttp.ServerDisconnectedError):
            asyncio.run(aiohttp_post())
    assert [entry.status for entry in mockplex.requests] == [None, None, None]


def test_python_plexapi_does_not_retry_an_injected_429(mockplex, monkeypatch):
    mockplex.fail("POST", "/api/v2/pins", status=429, headers={"Retry-After": "1"}, times=1)
    with mockplex.intercept():
        with pytest.raises(BadRequest, match=r"\(429\)"):
            MyPlexPinLogin().pin  # noqa: B018 - the property makes the pin
        assert len(MyPlexPinLogin().pin) == 4  # the fault is used up
    mockplex.assert_requested("POST", "/api/v2/pins", times=2)


def test_the_python_api_adds_lists_and_clears_faults(mockplex):
    fault = mockplex.fail("GET", "/api/v2/user", status=401)
    assert mockplex.faults == [fault]
    mockplex.clear_faults()
    assert mockplex.faults == []
    with pytest.raises(ValueError, match="needs a status"):
        mockplex.fail()


def test_faults_are_taken_first_added_first():
    faults = Faults()
    first = faults.add(Fault(path="/a", status=500, times=1))
    second = faults.add(Fault(path="/*", status=503))
    assert faults.take("GET", "/a") == first
    assert faults.take("GET", "/a") == second
    assert faults.take("GET", "/_mockplex/reset") is None
    assert faults.active() == [second]



BAD_HEADERS = [
    ({"X-A\r\nSet-Cookie": "v"}, "not an HTTP header name"),
    ({"": "v"}, "not an HTTP header name"),
    ({"Nämé": "v"}, "not an HTTP header name"),
    ({"Content-Length": "5"}, "frames the HTTP message itself"),
    ({"transfer-encoding": "chunked"}, "frames the HTTP message itself"),
    ({"Connection": "close"}, "frames the HTTP message itself"),
    ({"Retry-After": "1\r\nX-Injected: 1"}, "value must be printable ASCII"),
    ({"Retry-After": "zwölf"}, "value must be printable ASCII"),
    ({f"X-{n}": "v" for n in range(33)}, "at most 32 headers"),
]


@pytest.mark.parametrize(("headers", "problem"), BAD_HEADERS)
def test_a_fault_with_headers_http_cannot_send_is_refused(mockplex, headers, problem):
    added = requests.post(mockplex.url + "/_mockplex/faults", timeout=5,
                          json={"status": 429, "headers": headers})
    assert added.status_code == 400 and problem in added.json()["errors"][0]["message"]
    with pytest.raises(ValueError, match=problem):
        mockplex.fail(status=429, headers=headers)
    assert mockplex.faults == []
    assert requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS,
                         timeout=5).status_code == 201


def test_the_control_api_answers_while_delays_hold_every_worker(mockplex, mockplex_server):
    """The control API has threads of its own: with every plex.tv-side thread held by an
    injected delay (and more requests queued), health and the controls still answer,
    before any of the delayed requests does."""
    held = mockplex_server.threads + 2
    mockplex.fail("POST", "/api/v2/pins", delay_ms=2000, times=held)
    answered: list[int] = []
    callers = [threading.Thread(target=lambda: answered.append(requests.post(
        mockplex.url + "/api/v2/pins", headers=HEADERS, timeout=30).status_code))
        for _ in range(held)]
    for caller in callers:
        caller.start()
    deadline = time.monotonic() + 10
    while (mockplex.faults and mockplex.faults[0].times is not None
           and mockplex.faults[0].times > held - mockplex_server.threads):
        assert time.monotonic() < deadline, "the delayed requests never reached the workers"
        time.sleep(0.01)  # waiting for a condition: every worker has taken a delayed request
    assert requests.get(mockplex.url + "/_mockplex/health", timeout=30).status_code == 200
    assert requests.get(mockplex.url + "/_mockplex/pins", timeout=30).status_code == 200
    assert answered == []  # none of the delayed requests had been answered yet
    mockplex.clear_faults()  # end the delays now rather than wait them out
    for caller in callers:
        caller.join(30)
    assert answered == [201] * held


@pytest.mark.parametrize("fields", [{"method": "G" * 1025}, {"path": "/" * 1025},
                                    {"headers": {"X" * 1025: "v"}}])
def test_a_fault_made_in_python_keeps_to_the_text_cap(mockplex, fields):
    with pytest.raises(ValueError, match="at most 1024 characters"):
        mockplex.fail(status=500, **fields)
    assert mockplex.faults == []


@pytest.mark.parametrize("end", ["clear_faults", "reset"])
def test_clearing_the_faults_ends_a_delay_in_flight(mockplex, end):
    """A 60 s delay held on the plex.tv side ends when the faults are cleared (a reset
    clears them too): its request is answered at once, long before the client's
    timeout, and the next request takes no delay."""
    mockplex.fail("POST", "/api/v2/pins", delay_ms=60_000)
    held = noted_pauses(mockplex.store.faults)
    answers: list[object] = []
    client = held_answer(mockplex.url + "/api/v2/pins", answers, method="POST",
                         headers=JSON)
    assert held.wait(HELD)
    getattr(mockplex, end)()
    client.join(HELD + 5)
    assert answers == [201]
    assert requests.post(mockplex.url + "/api/v2/pins", headers=JSON, timeout=HELD).ok


def test_a_clear_ends_the_pause_of_a_fault_taken_before_it():
    """A clear between a request taking its delay and beginning to wait still ends it
    (the pause would otherwise last its whole minute, far past the join's bound)."""
    faults = Faults()
    faults.add(Fault(delay_ms=60_000))

    def request() -> None:
        assert faults.take("GET", "/api/v2/user") is not None
        faults.clear()
        faults.pause(60)

    client = threading.Thread(target=request)
    client.start()
    client.join(HELD)
    assert not client.is_alive() and faults.active() == []


def test_the_plex_tv_side_never_looks_a_server_up(client, store, monkeypatch):
    """Only the fake servers' requests name a server: the plex.tv side's faults and
    journal ask for none (a lookup per request would be its cost for nothing)."""
    def never(*args: object) -> str:
        raise AssertionError("a server looked up for a plex.tv request")

    monkeypatch.setattr("mockplex.web.traffic.server_name", never)
    store.faults.add(Fault(path="/api/v2/pins", status=503, times=1))
    store.faults.add(Fault(path="/api/v2/pins", status=500, server="*"))  # never met here
    assert client.post("/api/v2/pins", headers=JSON).status_code == 503
    assert client.post("/api/v2/pins", headers=JSON).status_code == 201
    assert [(entry.status, entry.server) for entry in store.journal.entries()] == [
        (503, ""), (201, "")]
